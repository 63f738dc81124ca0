//! Progress on the terminal: a spinner per step and a bar over the parts of
//! a large run. Drawn only when stderr is a terminal, so logs and CI stay clean.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use catchment::plan::Observer;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len} [{elapsed}]")
                .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    pub fn step(&self, message: &str) {
        self.bar.set_length(0);
        self.bar.set_position(0);
        self.bar.set_message(message.to_string());
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Progress {
    fn parts(&self, total: usize) {
        self.bar.set_length(total as u64);
    }

    fn part_done(&self) {
        self.bar.inc(1);
    }
}
