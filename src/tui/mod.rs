//! The terminal UI: Model / Msg / update -> effects / view.
