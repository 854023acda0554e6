//! One wgpu context (instance, adapter, device, queue) made once and shared by every kernel.

use std::sync::Arc;

use super::GpuError;

/// Which adapters a context may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdapterChoice {
    /// Only hardware GPUs (discrete, integrated or virtual); software rasterizers are refused.
    HardwareOnly,
    /// Any adapter, software ones such as llvmpipe included (hardware preferred).
    Any,
}

/// What `yuma info` reports about one adapter.
#[derive(Clone, Debug)]
pub struct AdapterReport {
    pub name: String,
    pub device_type: wgpu::DeviceType,
    pub backend: wgpu::Backend,
    pub driver: String,
    pub shader_int64: bool,
    pub limits: wgpu::Limits,
}

/// The device and queue every kernel runs on.
pub struct GpuContext {
    /// Device errors no error scope caught (they would otherwise abort the process).
    pub uncaptured: Arc<std::sync::Mutex<Vec<String>>>,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    pub limits: wgpu::Limits,
}

/// Vulkan (Linux, Windows), Metal (macOS) and DX12 (Windows) have 64-bit shader integers; the
/// GL backend does not and only adds noise while probing. `WGPU_BACKEND` overrides.
fn backends() -> wgpu::Backends {
    wgpu::Backends::from_env()
        .unwrap_or(wgpu::Backends::VULKAN | wgpu::Backends::METAL | wgpu::Backends::DX12)
}

fn instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.backends = backends();
    wgpu::Instance::new(desc)
}

fn is_hardware(t: wgpu::DeviceType) -> bool {
    matches!(
        t,
        wgpu::DeviceType::DiscreteGpu
            | wgpu::DeviceType::IntegratedGpu
            | wgpu::DeviceType::VirtualGpu
    )
}

/// Every adapter the instance finds, for `yuma info`.
pub fn list_adapters() -> Vec<AdapterReport> {
    let inst = instance();
    pollster::block_on(inst.enumerate_adapters(backends()))
        .into_iter()
        .map(|a| {
            let info = a.get_info();
            AdapterReport {
                name: info.name.clone(),
                device_type: info.device_type,
                backend: info.backend,
                driver: format!("{} {}", info.driver, info.driver_info)
                    .trim()
                    .to_string(),
                shader_int64: a.features().contains(wgpu::Features::SHADER_INT64),
                limits: a.limits(),
            }
        })
        .collect()
}

impl GpuContext {
    /// Opens a device on the best adapter allowed by `choice` that has 64-bit shader integers,
    /// with the adapter's own limits (so the largest problems fit).
    pub fn new(choice: AdapterChoice) -> Result<Arc<GpuContext>, GpuError> {
        let inst = instance();
        let mut adapters = pollster::block_on(inst.enumerate_adapters(backends()));
        if adapters.is_empty() {
            return Err(GpuError::NoAdapter(
                "no GPU adapter found (install a Vulkan driver, e.g. `apt-get install mesa-vulkan-drivers libvulkan1` \
                 for the software adapter); use --backend cpu for the CPU reference"
                    .to_string(),
            ));
        }
        adapters.sort_by_key(|a| match a.get_info().device_type {
            wgpu::DeviceType::DiscreteGpu => 0,
            wgpu::DeviceType::IntegratedGpu => 1,
            wgpu::DeviceType::VirtualGpu => 2,
            wgpu::DeviceType::Cpu => 3,
            wgpu::DeviceType::Other => 4,
        });
        let usable: Vec<_> = adapters
            .into_iter()
            .filter(|a| choice == AdapterChoice::Any || is_hardware(a.get_info().device_type))
            .collect();
        if usable.is_empty() {
            return Err(GpuError::NoAdapter(
                "no hardware GPU adapter found (only software adapters); use --backend gpu to run on a software \
                 adapter, or --backend cpu"
                    .to_string(),
            ));
        }
        let Some(adapter) = usable
            .into_iter()
            .find(|a| a.features().contains(wgpu::Features::SHADER_INT64))
        else {
            return Err(GpuError::NoAdapter(
                "no GPU adapter supports 64-bit shader integers (SHADER_INT64), which the exact kernels need; \
                 use --backend cpu"
                    .to_string(),
            ));
        };
        let info = adapter.get_info();
        let limits = adapter.limits();
        // Timestamp queries (kernel time in benches) where the adapter has them.
        let features =
            wgpu::Features::SHADER_INT64 | (adapter.features() & wgpu::Features::TIMESTAMP_QUERY);
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("yuma"),
            required_features: features,
            required_limits: limits.clone(),
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| GpuError::NoAdapter(format!("{}: cannot open the device: {e}", info.name)))?;
        let uncaptured = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = Arc::clone(&uncaptured);
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            if let Ok(mut v) = sink.lock() {
                v.push(e.to_string());
            }
        }));
        Ok(Arc::new(GpuContext {
            uncaptured,
            adapter,
            device,
            queue,
            info,
            limits,
        }))
    }

    /// The first device error no scope caught since the last call, if any.
    pub fn take_uncaptured(&self) -> Result<(), GpuError> {
        let mut v = self
            .uncaptured
            .lock()
            .map_err(|_| GpuError::Device("error log poisoned".to_string()))?;
        let first = v.drain(..).next();
        match first {
            Some(e) => Err(GpuError::Device(e)),
            None => Ok(()),
        }
    }

    /// `name (device type, backend)` for reports.
    pub fn describe(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.device_type, self.info.backend
        )
    }

    /// Whether kernel times can be measured with timestamp queries.
    pub fn has_timestamps(&self) -> bool {
        self.device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
    }

    /// Whether this is a software adapter (llvmpipe, SwiftShader, WARP).
    pub fn is_software(&self) -> bool {
        !is_hardware(self.info.device_type)
    }
}
