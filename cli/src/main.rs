//! The `adsterra` binary; everything is in the library, so tests can walk its grammar.

fn main() -> std::process::ExitCode {
    adsterra_cli::main()
}
