//! The `yuma` command line: parses arguments and calls the library.

mod cli;

fn main() {
    keep_freed_memory();
    if let Err(e) = cli::run() {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}

/// yuma works in batches, each allocating and freeing about what the last one did. glibc's
/// defaults give freed memory back to the kernel (a free heap top over 128 KiB, and every
/// allocation above its mmap threshold), so the next batch takes a page fault for each 4 KiB
/// again. Freed memory is kept for reuse instead: allocations up to 32 MiB come from the heap,
/// and up to 1 GiB of free heap top is kept.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets the allocator's parameters; no other thread runs yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
