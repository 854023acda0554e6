//! A pool of named storage buffers, grown on demand and reused across epochs, plus uploads,
//! readbacks and dispatch-size helpers.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{GpuContext, GpuError};

/// Storage buffers by name; a buffer is re-created only when a larger one is needed. The bind
/// groups made over this pool's buffers are kept too (keyed by what they bind) and dropped when
/// a buffer is re-created, so repeated epochs of the same sizes build none.
#[derive(Default)]
pub struct BufferPool {
    buffers: HashMap<&'static str, wgpu::Buffer>,
    staging: Option<wgpu::Buffer>,
    groups: RefCell<HashMap<Vec<usize>, wgpu::BindGroup>>,
}

/// The smallest buffer size wgpu accepts for a binding (and a multiple of 16).
fn padded(bytes: u64) -> u64 {
    bytes.max(16).div_ceil(16) * 16
}

impl BufferPool {
    /// Checks a requested size against the adapter's limits, naming the buffer and the limit.
    pub fn check_size(ctx: &GpuContext, name: &str, bytes: u64) -> Result<(), GpuError> {
        let bind = ctx.limits.max_storage_buffer_binding_size;
        let max = ctx.limits.max_buffer_size;
        if bytes > bind || bytes > max {
            return Err(GpuError::TooLarge(format!(
                "buffer `{name}` needs {bytes} bytes, over the adapter's max_storage_buffer_binding_size \
                 ({bind} bytes) / max_buffer_size ({max} bytes); use --backend cpu for this snapshot"
            )));
        }
        Ok(())
    }

    /// A buffer of at least `bytes` bytes under `name`.
    pub fn get(
        &mut self,
        ctx: &GpuContext,
        name: &'static str,
        bytes: u64,
    ) -> Result<&wgpu::Buffer, GpuError> {
        let size = padded(bytes);
        Self::check_size(ctx, name, size)?;
        let fits = self.buffers.get(name).is_some_and(|b| b.size() >= size);
        if !fits {
            let size = size.max(self.buffers.get(name).map_or(0, |b| b.size()));
            // Out of memory: no buffer is kept under `name` (a later, smaller request makes a
            // new one), and the pool lets go of the rest.
            let memory = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
            let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(name),
                size,
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            if let Some(err) = pollster::block_on(memory.pop()) {
                self.release();
                return Err(GpuError::TooLarge(format!(
                    "buffer `{name}` ({size} bytes): out of GPU memory: {err}"
                )));
            }
            self.buffers.insert(name, buffer);
            self.groups.get_mut().clear();
        }
        Ok(&self.buffers[name])
    }

    /// Lets go of every buffer and bind group (after running out of memory, so that a smaller
    /// batch starts from nothing).
    pub fn release(&mut self) {
        self.buffers.clear();
        self.groups.get_mut().clear();
    }

    /// The bind group stored under `key` (which must identify the module and every buffer it
    /// binds), made by `make` the first time; returns it and whether it was made now.
    pub fn bind_group(
        &self,
        key: Vec<usize>,
        make: impl FnOnce() -> Result<wgpu::BindGroup, GpuError>,
    ) -> Result<(wgpu::BindGroup, bool), GpuError> {
        if let Some(g) = self.groups.borrow().get(&key) {
            return Ok((g.clone(), false));
        }
        let g = make()?;
        self.groups.borrow_mut().insert(key, g.clone());
        Ok((g, true))
    }

    /// A buffer already made by `get` or `stage`.
    pub fn buf(&self, name: &'static str) -> &wgpu::Buffer {
        &self.buffers[name]
    }

    /// Copies `(buffer, bytes)` pieces of this pool to the host, in one map.
    pub fn read(
        &mut self,
        ctx: &GpuContext,
        parts: &[(&'static str, u64)],
    ) -> Result<Vec<Vec<u8>>, GpuError> {
        let pieces: Vec<(&wgpu::Buffer, u64)> = parts
            .iter()
            .map(|&(name, b)| (&self.buffers[name], b))
            .collect();
        read_buffers(ctx, &mut self.staging, &pieces)
    }
}

/// Uploads through one reused, host-mapped buffer (MAP_WRITE | COPY_SRC): it is mapped, filled
/// where it lies (by the caller), unmapped, and copied into the destination buffers by the
/// command buffer that then reads them (`record`), so no input is copied twice on the host, no
/// fresh staging memory is touched from one batch to the next, and the copies take no
/// submission of their own.
#[derive(Default)]
pub struct Uploader {
    buffer: Option<wgpu::Buffer>,
    /// Copies filled but not yet recorded: (destination, offset in `buffer`, bytes).
    pending: Vec<(&'static str, u64, u64)>,
}

impl Uploader {
    /// Fills `regions` (`(buffer, bytes)`, each a multiple of 4 bytes) of `pool`: `fill` writes
    /// them back to back into the mapped bytes it is given (every byte a kernel reads; the rest
    /// may hold an earlier batch's), or fails, and then nothing is copied. Each region reaches
    /// the start of its buffer by the copies `record` adds to a command buffer.
    pub fn upload(
        &mut self,
        ctx: &GpuContext,
        regions: &[(&'static str, u64)],
        fill: impl FnOnce(wgpu::WriteOnly<'_, [u8]>) -> Result<(), GpuError>,
    ) -> Result<(), GpuError> {
        self.pending.clear();
        let total: u64 = regions.iter().map(|&(_, b)| b).sum();
        if total == 0 {
            return Ok(());
        }
        if total > ctx.limits.max_buffer_size {
            return Err(GpuError::TooLarge(format!(
                "a batch's inputs need {total} bytes, over the adapter's max_buffer_size ({} bytes)",
                ctx.limits.max_buffer_size
            )));
        }
        if self.buffer.as_ref().is_none_or(|b| b.size() < total) {
            let size = total.next_power_of_two().min(ctx.limits.max_buffer_size);
            self.buffer = Some(ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("uploads"),
                size: size.max(total),
                usage: wgpu::BufferUsages::MAP_WRITE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }));
        }
        let buffer = self.buffer.as_ref().expect("made above");
        let slice = buffer.slice(..total);
        map_and_wait(ctx, &slice, wgpu::MapMode::Write, "upload")?;
        // The view is dropped at the end of its arm, before the buffer is unmapped (on error
        // too).
        let filled = match slice.get_mapped_range_mut() {
            Ok(mut view) => fill(view.slice(..)),
            Err(e) => Err(GpuError::Device(format!("upload: {e}"))),
        };
        buffer.unmap();
        filled?;
        let mut at = 0;
        for &(name, bytes) in regions {
            if bytes > 0 {
                self.pending.push((name, at, bytes));
            }
            at += bytes;
        }
        Ok(())
    }

    /// Records the copies of the last `upload` into `enc` (before the commands that read them).
    pub fn record(&mut self, pool: &BufferPool, enc: &mut wgpu::CommandEncoder) {
        if let Some(buffer) = &self.buffer {
            for (name, at, bytes) in self.pending.drain(..) {
                enc.copy_buffer_to_buffer(buffer, at, pool.buf(name), 0, bytes);
            }
        }
    }
}

/// Maps `slice` (after the work submitted so far) and waits until it is mapped; errors say
/// `what` failed.
fn map_and_wait(
    ctx: &GpuContext,
    slice: &wgpu::BufferSlice<'_>,
    mode: wgpu::MapMode,
    what: &str,
) -> Result<(), GpuError> {
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(mode, move |r| {
        let _ = tx.send(r);
    });
    ctx.device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuError::Device(format!("waiting for the GPU: {e}")))?;
    rx.recv()
        .map_err(|e| GpuError::Device(format!("{what}: {e}")))?
        .map_err(|e| GpuError::Device(format!("{what}: {e}")))
}

/// Copies `(buffer, bytes)` pieces to the host after the work submitted so far: one copy
/// command list, one map of a reused staging buffer.
pub fn read_buffers(
    ctx: &GpuContext,
    staging: &mut Option<wgpu::Buffer>,
    parts: &[(&wgpu::Buffer, u64)],
) -> Result<Vec<Vec<u8>>, GpuError> {
    read_buffers_with(ctx, staging, parts, |views| {
        views.iter().map(|v| v.to_vec()).collect()
    })
}

/// Like `read_buffers`, but hands `read` the pieces where they are mapped (each starting
/// 8-byte aligned), without copying them out first; returns what `read` returns.
pub fn read_buffers_with<R>(
    ctx: &GpuContext,
    staging: &mut Option<wgpu::Buffer>,
    parts: &[(&wgpu::Buffer, u64)],
    read: impl FnOnce(&[&[u8]]) -> R,
) -> Result<R, GpuError> {
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("readback"),
        });
    record_readback(ctx, staging, parts, &mut encoder)?;
    ctx.queue.submit([encoder.finish()]);
    let lengths: Vec<u64> = parts.iter().map(|&(_, b)| b).collect();
    map_readback(ctx, staging, &lengths, read)
}

/// The bytes a readback of pieces of `lengths` bytes takes in its staging buffer (each piece
/// starting 8-byte aligned).
fn staged_bytes(lengths: impl Iterator<Item = u64>) -> u64 {
    lengths.map(|b| b.div_ceil(8) * 8).sum::<u64>().max(8)
}

/// Records into `enc` the copies of `(buffer, bytes)` pieces into `staging` (made or grown to
/// fit), back to back, each starting 8-byte aligned: the first half of a readback, which
/// `map_readback` completes once `enc`'s commands have run.
pub fn record_readback(
    ctx: &GpuContext,
    staging: &mut Option<wgpu::Buffer>,
    parts: &[(&wgpu::Buffer, u64)],
    enc: &mut wgpu::CommandEncoder,
) -> Result<(), GpuError> {
    let total = staged_bytes(parts.iter().map(|&(_, b)| b));
    if total > ctx.limits.max_buffer_size {
        return Err(GpuError::TooLarge(format!(
            "a readback of {total} bytes, over the adapter's max_buffer_size ({} bytes)",
            ctx.limits.max_buffer_size
        )));
    }
    if staging.as_ref().is_none_or(|s| s.size() < total) {
        *staging = Some(ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size: total.next_power_of_two().min(ctx.limits.max_buffer_size),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }));
    }
    let staging = staging.as_ref().expect("staging buffer exists");
    let mut offset = 0;
    for &(buffer, bytes) in parts {
        let len = bytes.div_ceil(8) * 8;
        if len > 0 {
            enc.copy_buffer_to_buffer(buffer, 0, staging, offset, len.min(buffer.size()));
        }
        offset += len;
    }
    Ok(())
}

/// Maps `staging` after the work submitted so far and hands `read` the pieces `record_readback`
/// copied there (their `lengths` in bytes) where they are mapped; returns what `read` returns.
pub fn map_readback<R>(
    ctx: &GpuContext,
    staging: &Option<wgpu::Buffer>,
    lengths: &[u64],
    read: impl FnOnce(&[&[u8]]) -> R,
) -> Result<R, GpuError> {
    let total = staged_bytes(lengths.iter().copied());
    let staging = staging
        .as_ref()
        .filter(|s| s.size() >= total)
        .ok_or_else(|| GpuError::Device("readback: no staging buffer of that size".into()))?;
    let slice = staging.slice(..total);
    map_and_wait(ctx, &slice, wgpu::MapMode::Read, "readback")?;
    let out = {
        let view = slice
            .get_mapped_range()
            .map_err(|e| GpuError::Device(format!("readback: {e}")))?;
        let mut views: Vec<&[u8]> = Vec::with_capacity(lengths.len());
        let mut offset = 0usize;
        for &bytes in lengths {
            views.push(&view[offset..offset + bytes as usize]);
            offset += (bytes.div_ceil(8) * 8) as usize;
        }
        read(&views)
    };
    staging.unmap();
    Ok(out)
}

/// Workgroups for `count` items of `per_group` each, as a 2-D grid within the per-dimension
/// limit.
pub fn grid(ctx: &GpuContext, groups: u64) -> Result<(u32, u32), GpuError> {
    let max = u64::from(ctx.limits.max_compute_workgroups_per_dimension);
    if groups == 0 {
        return Ok((0, 0));
    }
    let x = groups.min(max);
    let y = groups.div_ceil(x);
    if y > max {
        return Err(GpuError::TooLarge(format!(
            "{groups} workgroups exceed max_compute_workgroups_per_dimension² ({max}²)"
        )));
    }
    Ok((x as u32, y as u32))
}
