//! Progress on the terminal for long work.

use std::io::IsTerminal;

/// A progress bar on stderr for long work; hidden when stderr is not a terminal or in CI.
pub fn progress_bar(len: u64, message: &'static str) -> indicatif::ProgressBar {
    let visible = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
    if !visible {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len).with_message(message);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
