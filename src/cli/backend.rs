//! `--backend`: which engine computes the epochs.

use clap::ValueEnum;

use super::CliError;
use yuma::engine::{CpuEngine, Engine};
use yuma::gpu::{AdapterChoice, GpuEngine, GpuError};

/// Which engine runs the epochs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// the GPU when a hardware adapter exists, otherwise the CPU (with a one-line notice)
    Auto,
    /// the exact CPU reference
    Cpu,
    /// the WGSL compute path on any adapter (software adapters such as llvmpipe included)
    Gpu,
}

/// Opens the GPU engine for `--backend gpu` (any adapter) or `auto` (hardware only).
pub fn gpu_engine(choice: AdapterChoice) -> Result<GpuEngine, GpuError> {
    let engine = GpuEngine::new(choice)?;
    // Only once the GPU engine is open: `auto` falls back to the CPU path when it is not.
    keep_freed_memory();
    Ok(engine)
}

/// Builds the engine for a backend choice.
pub fn make_engine(backend: Backend) -> Result<Box<dyn Engine>, CliError> {
    match backend {
        Backend::Cpu => Ok(Box::new(CpuEngine)),
        Backend::Gpu => Ok(Box::new(gpu_engine(AdapterChoice::Any)?)),
        Backend::Auto => match gpu_engine(AdapterChoice::HardwareOnly) {
            Ok(g) => Ok(Box::new(g)),
            Err(e) => {
                eprintln!("note: using the CPU reference ({e})");
                Ok(Box::new(CpuEngine))
            }
        },
    }
}

/// The GPU engine runs epochs in large batches, each allocating and freeing about what the last
/// one did (the outputs of hundreds of subnets). glibc's defaults give freed memory back to the
/// kernel, so each batch would take a page fault per 4 KiB of its outputs again:
/// - a free heap top over 128 KiB is trimmed (`M_TRIM_THRESHOLD`);
/// - allocations above an adaptive threshold are mmapped and unmapped (`M_MMAP_THRESHOLD`);
/// - when a free of 64 KiB or more reaches a worker thread's arena top, the arena unmaps each of
///   its later 64 MiB heaps that holds nothing, whatever the trim threshold, unless the free
///   space below it and the kept top pad (`M_TOP_PAD`) say otherwise (glibc's `heap_trim`); a
///   top pad of a whole heap keeps every heap.
///
/// With the GPU engine, freed memory is kept for reuse instead: allocations up to 32 MiB come
/// from the heap, up to 1 GiB of free heap top is kept, and arenas keep their heaps (in the
/// 850-epoch batch, the outputs' minor page faults fell from 9,202 to under 200 per batch). The
/// pad is address space, not resident memory: untouched pages take none (it does count as
/// committed memory where overcommit is off). (The CPU path keeps glibc's defaults: there,
/// keeping freed memory raised the n = 65,535 epoch's peak from 1.06 to 1.38 GB.)
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets the allocator's parameters (it takes the allocator's own locks).
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
