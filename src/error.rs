//! Error types shared across layers. Each layer keeps its own enum next to its code
//! (`config::ConfigError`, `store::StoreError`, ...); `anyhow` is used only in `main.rs`
//! and `cli.rs`.
