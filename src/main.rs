// mimalloc: the build allocates and frees millions of small strings across threads,
// where it is faster than glibc's malloc and returns freed memory sooner.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    anli::app::cli::run()
}
