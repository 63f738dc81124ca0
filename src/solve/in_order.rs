//! Steps taken in a fixed order, several solved side by side.
//!
//! Windows are a sequence of steps, each reading the plan its predecessors
//! left, and most leave it as it was (on seed 37 of the tight 300-zone maps
//! 9 of 205 whole-zone windows found a cheaper plan, counted once by
//! temporary instrumentation). So the next few steps are prepared from
//! the plan as it stands and solved side by side, then committed in order;
//! before each commit the step is prepared again (a few microseconds
//! against a window's milliseconds), and if an earlier commit changed its
//! input it is solved again from the new one. The result is therefore the
//! one a single thread gives, on any number of threads: only the time
//! differs.

use std::ops::ControlFlow;

use rayon::prelude::*;

/// Runs `jobs` in order on `state`: for each, `prepare` reads the state
/// into an input (`None`: nothing to do), `solve` computes from the input
/// alone, and `commit` puts the result into the state; `commit` may stop
/// the run (`ControlFlow::Break`), which is then returned. Inputs are
/// solved side by side only while `apart` says a commit of one is
/// unlikely to change the next (a guess solved for nothing costs time).
pub fn in_order<S, J, I, O>(
    state: &mut S,
    jobs: &[J],
    prepare: impl Fn(&S, &J) -> Option<I>,
    apart: impl Fn(&I, &I) -> bool,
    solve: impl Fn(&I) -> O + Sync,
    mut commit: impl FnMut(&mut S, &J, I, O) -> ControlFlow<()>,
) -> ControlFlow<()>
where
    I: PartialEq + Sync,
    O: Send,
{
    let width = rayon::current_num_threads().max(1);
    let mut next = 0;
    while next < jobs.len() {
        // The next `width` jobs with something to do, as the state stands.
        let first = next;
        let mut guesses: Vec<(usize, I)> = Vec::with_capacity(width);
        while next < jobs.len() && guesses.len() < width {
            if let Some(input) = prepare(state, &jobs[next]) {
                if !guesses.iter().all(|(_, earlier)| apart(earlier, &input)) {
                    break;
                }
                guesses.push((next, input));
            }
            next += 1;
        }
        let solved: Vec<O> = if guesses.len() > 1 {
            guesses.par_iter().map(|(_, input)| solve(input)).collect()
        } else {
            guesses.iter().map(|(_, input)| solve(input)).collect()
        };
        // Every job of the stretch again, in order: one with nothing to do
        // before may have something now, and the other way round.
        let mut guessed = guesses.into_iter().zip(solved).peekable();
        for (j, job) in jobs.iter().enumerate().take(next).skip(first) {
            let guess = guessed.next_if(|((g, _), _)| *g == j);
            let Some(input) = prepare(state, job) else {
                continue;
            };
            let out = match guess {
                Some(((_, guess), out)) if guess == input => out,
                _ => solve(&input),
            };
            commit(state, job, input, out)?;
        }
    }
    ControlFlow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Jobs on a number where each job's input, and whether it has any,
    /// depends on the commits before it; returns the number, the jobs
    /// committed in order, and the solves made.
    fn run(jobs: &[u64], threads: usize, stop_above: u64) -> (u64, Vec<u64>, usize) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let solves = std::sync::atomic::AtomicUsize::new(0);
        let (number, done) = pool.install(|| {
            let mut state = (1u64, Vec::new());
            let _ = in_order(
                &mut state,
                jobs,
                |s, &j| ((s.0 + j) % 3 != 0).then_some((s.0, j)),
                |a, b| a.1 != b.1,
                |&(n, j)| {
                    solves.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if j % 4 == 0 { n } else { (n * 31 + j) % 1_009 }
                },
                |s, &j, _, n| {
                    s.0 = n;
                    s.1.push(j);
                    if n > stop_above {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                },
            );
            state
        });
        (number, done, solves.into_inner())
    }

    #[test]
    fn side_by_side_gives_what_one_thread_gives() {
        for seed in 0..20u64 {
            let jobs: Vec<u64> = (0..60).map(|i| (i * 7 + seed * 13) % 23).collect();
            for stop in [u64::MAX, 900] {
                let one = run(&jobs, 1, stop);
                for threads in [2, 3, 8] {
                    let many = run(&jobs, threads, stop);
                    assert_eq!((many.0, &many.1), (one.0, &one.1), "seed {seed}");
                }
            }
        }
    }

    #[test]
    fn unchanged_inputs_are_solved_once() {
        // Jobs that leave the number as it is: every guess stands.
        let jobs = vec![4u64, 8, 12, 16, 20, 24];
        let (_, done, solves) = run(&jobs, 3, u64::MAX);
        assert_eq!(done.len(), solves);
    }

    #[test]
    fn a_break_stops_the_run() {
        let jobs: Vec<u64> = (1..40).collect();
        let (n, done, _) = run(&jobs, 4, 500);
        assert!(n > 500);
        assert!(done.len() < jobs.len());
        assert_eq!(run(&jobs, 1, 500).1, done);
    }
}
