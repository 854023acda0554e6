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
    /// Uploads waiting to be written: their bytes back to back (each padded to 4 bytes), and
    /// (buffer, offset in `staged`, length) of each.
    staged: Vec<u8>,
    pieces: Vec<(&'static str, u64, u64)>,
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
            let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(name),
                size: size.max(self.buffers.get(name).map_or(0, |b| b.size())),
                usage: wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_DST
                    | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            self.buffers.insert(name, buffer);
            self.groups.get_mut().clear();
        }
        Ok(&self.buffers[name])
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

    /// Queues whole-buffer uploads `(buffer, bytes)` back to back, each buffer made (or grown)
    /// to hold its bytes, and returns the staging bytes to fill: the regions in the order
    /// given, each `bytes` long (a multiple of 4). The bytes are not cleared (they may hold an
    /// earlier batch's): the caller writes every byte a kernel reads. `write_staged` writes
    /// them.
    pub fn stage_regions(
        &mut self,
        ctx: &GpuContext,
        regions: &[(&'static str, u64)],
    ) -> Result<&mut [u8], GpuError> {
        self.pieces.clear();
        let mut at = 0u64;
        for &(name, bytes) in regions {
            debug_assert_eq!(bytes % 4, 0, "{name}: regions are whole 4-byte words");
            self.get(ctx, name, bytes)?;
            if bytes > 0 {
                self.pieces.push((name, at, bytes));
            }
            at += bytes;
        }
        if self.staged.len() < at as usize {
            self.staged.resize(at as usize, 0);
        }
        Ok(&mut self.staged[..at as usize])
    }

    /// Bytes queued by `stage_regions`.
    pub fn staged_len(&self) -> u64 {
        self.pieces.last().map_or(0, |&(_, at, len)| at + len)
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

/// Writes the uploads `stage_regions` queued in `pool` through one staging buffer (`upload`,
/// reused) and one copy command per buffer. Past `max_bytes`, each buffer's upload is written
/// on its own instead.
pub fn write_staged(
    ctx: &GpuContext,
    upload: &mut Option<wgpu::Buffer>,
    pool: &BufferPool,
    max_bytes: u64,
) {
    let total = pool.staged_len();
    if total == 0 {
        return;
    }
    if total > max_bytes.min(ctx.limits.max_buffer_size) {
        for &(name, at, len) in &pool.pieces {
            let bytes = &pool.staged[at as usize..(at + len) as usize];
            ctx.queue.write_buffer(pool.buf(name), 0, bytes);
        }
        return;
    }
    if upload.as_ref().is_none_or(|b| b.size() < total) {
        *upload = Some(ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("uploads"),
            size: total.next_power_of_two().min(ctx.limits.max_buffer_size),
            usage: wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }));
    }
    let upload = upload.as_ref().expect("made above");
    let size = wgpu::BufferSize::new(total).expect("total > 0");
    {
        let Some(mut view) = ctx.queue.write_buffer_with(upload, 0, size) else {
            return;
        };
        // (wgpu's write-only views of unsized slices are not `Send`: one thread copies.)
        view.copy_from_slice(&pool.staged[..total as usize]);
    }
    let mut enc = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("uploads"),
        });
    for &(name, at, len) in &pool.pieces {
        enc.copy_buffer_to_buffer(upload, at, pool.buf(name), 0, len);
    }
    ctx.queue.submit([enc.finish()]);
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
    let total: u64 = parts
        .iter()
        .map(|&(_, b)| b.div_ceil(8) * 8)
        .sum::<u64>()
        .max(8);
    if staging.as_ref().is_none_or(|s| s.size() < total) {
        *staging = Some(ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("staging"),
            size: total.next_power_of_two(),
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        }));
    }
    let staging = staging.as_ref().expect("staging buffer exists");
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("readback"),
        });
    let mut offset = 0;
    for &(buffer, bytes) in parts {
        let len = bytes.div_ceil(8) * 8;
        if len > 0 {
            encoder.copy_buffer_to_buffer(buffer, 0, staging, offset, len.min(buffer.size()));
        }
        offset += len;
    }
    ctx.queue.submit([encoder.finish()]);
    let slice = staging.slice(..total);
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    ctx.device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| GpuError::Device(format!("waiting for the GPU: {e}")))?;
    rx.recv()
        .map_err(|e| GpuError::Device(format!("readback: {e}")))?
        .map_err(|e| GpuError::Device(format!("readback: {e}")))?;
    let out = {
        let view = slice
            .get_mapped_range()
            .map_err(|e| GpuError::Device(format!("readback: {e}")))?;
        let mut views: Vec<&[u8]> = Vec::with_capacity(parts.len());
        let mut offset = 0usize;
        for &(_, bytes) in parts {
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
