//! A small deterministic generator, so that a synthetic region (and a
//! lottery draw, see [`crate::plan::lottery`]) depends only on its
//! parameters, never on a crate's version or the machine's thread count: a
//! published draw must be reproducible years later from its seed, which a
//! generator from a dependency would not promise across updates.

/// SplitMix64 step: turns any 64-bit value (a seed, a counter) into a
/// well-mixed one; also how independent streams are derived.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256**: fast, with a period far beyond anything one county draws.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A stream for `(seed, stream, index)`: counties and planning steps get
    /// streams that do not overlap whatever order they are run in.
    pub fn new(seed: u64, stream: u64, index: u64) -> Rng {
        let mut x = mix(seed ^ mix(stream.wrapping_mul(0xA076_1D64_78BD_642F) ^ mix(index)));
        let mut s = [0u64; 4];
        for v in &mut s {
            x = mix(x);
            *v = x;
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }

    /// Uniform in 0..n (n > 0), without modulo bias worth speaking of.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// One item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Standard normal (Box-Muller; one of the pair is dropped for simplicity).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Rounds `x >= 0` up or down at random so that the expectation is `x`:
    /// totals over many zones stay unbiased without every zone being a
    /// rounded copy of its expectation.
    pub fn round(&mut self, x: f64) -> u32 {
        let x = x.max(0.0);
        let f = x.floor();
        (f as u32) + u32::from(self.f64() < x - f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 1, 3).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(7, 1, 3).next_u64(), Rng::new(7, 1, 4).next_u64());
        assert_ne!(Rng::new(7, 1, 3).next_u64(), Rng::new(8, 1, 3).next_u64());
        let mut r = Rng::new(1, 2, 3);
        let mean = (0..10_000).map(|_| r.f64()).sum::<f64>() / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
        assert!((0..1000).all(|_| r.below(7) < 7));
    }
}
