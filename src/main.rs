fn main() -> std::process::ExitCode {
    anli::cli::run()
}
