//! Sweeps (in progress).
