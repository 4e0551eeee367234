//! Where postern keeps things: XDG directories through the `directories` crate.
