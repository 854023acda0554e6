//! `yuma info`: the GPU adapters this machine offers and the limits that bound problem sizes.

use clap::Args;

use super::CliError;
use yuma::gpu::list_adapters;

/// List GPU adapters and the limits that bound the problem size.
///
/// For each adapter: name, device type (a CPU type such as llvmpipe is a software adapter, used
/// only with --backend gpu), backend, driver, whether it has 64-bit shader integers (required),
/// and the limits the kernels hit first: max_storage_buffer_binding_size (largest single array,
/// e.g. the weight entries or the bond rows × n), max_buffer_size and
/// max_compute_workgroups_per_dimension.
#[derive(Args)]
pub struct InfoArgs {}

pub fn run(_: InfoArgs) -> Result<(), CliError> {
    let adapters = list_adapters();
    if adapters.is_empty() {
        say!(
            "no GPU adapter found: the GPU backend is unavailable; --backend cpu (and auto) use the exact CPU reference.\n\
             For a software adapter: apt-get install -y mesa-vulkan-drivers libvulkan1"
        );
        return Ok(());
    }
    for (i, a) in adapters.iter().enumerate() {
        let kind = match a.device_type {
            wgpu::DeviceType::Cpu => "software (CPU) adapter: used by --backend gpu only",
            wgpu::DeviceType::DiscreteGpu => "discrete GPU",
            wgpu::DeviceType::IntegratedGpu => "integrated GPU",
            wgpu::DeviceType::VirtualGpu => "virtual GPU",
            wgpu::DeviceType::Other => "other",
        };
        say!("adapter {i}: {}", a.name);
        say!("  type: {kind}");
        say!("  backend: {:?}", a.backend);
        say!("  driver: {}", a.driver);
        say!(
            "  64-bit shader integers: {}",
            if a.shader_int64 {
                "yes"
            } else {
                "NO (the exact kernels cannot run here)"
            }
        );
        say!(
            "  max_storage_buffer_binding_size: {} bytes",
            a.limits.max_storage_buffer_binding_size
        );
        say!("  max_buffer_size: {} bytes", a.limits.max_buffer_size);
        say!(
            "  max_compute_workgroups_per_dimension: {}",
            a.limits.max_compute_workgroups_per_dimension
        );
        say!(
            "  max_storage_buffers_per_shader_stage: {}",
            a.limits.max_storage_buffers_per_shader_stage
        );
        let cells = a.limits.max_storage_buffer_binding_size / 8;
        say!(
            "  largest bond-side dense matrix (rows holding weights or bonds × n, 8 bytes a cell): {cells} cells"
        );
    }
    Ok(())
}
