//! The compute pipelines, built once per context: one WGSL module per stage (fixed.wgsl and
//! epoch_params.wgsl prepended), one pipeline per entry point. Each module's bind group layout
//! is read off the WGSL itself (naga reflection: binding numbers and read-only vs read-write),
//! so the host never restates it.

use std::collections::HashMap;

use super::{GpuContext, GpuError};

/// A stage that walks matrix rows also gets shaders/matrix_rows.wgsl (its bindings 0–6).
macro_rules! row_stage_source {
    ($file:literal) => {
        concat!(
            include_str!("../../shaders/fixed.wgsl"),
            include_str!("../../shaders/epoch_params.wgsl"),
            include_str!("../../shaders/matrix_rows.wgsl"),
            include_str!(concat!("../../shaders/", $file))
        )
    };
}

macro_rules! stage_source {
    ($file:literal) => {
        concat!(
            include_str!("../../shaders/fixed.wgsl"),
            include_str!("../../shaders/epoch_params.wgsl"),
            include_str!(concat!("../../shaders/", $file))
        )
    };
}

/// Every stage file: (name, WGSL source with the shared library prepended).
pub const STAGES: &[(&str, &str)] = &[
    ("stake", stage_source!("stake.wgsl")),
    ("permits", stage_source!("permits.wgsl")),
    ("weights", stage_source!("weights.wgsl")),
    ("column_lists", stage_source!("column_lists.wgsl")),
    ("consensus", stage_source!("consensus.wgsl")),
    ("incentive", stage_source!("incentive.wgsl")),
    ("normalize", stage_source!("normalize.wgsl")),
    ("weights_for_bonds", stage_source!("weights_for_bonds.wgsl")),
    ("bonds_read", stage_source!("bonds_read.wgsl")),
    ("columns", stage_source!("columns.wgsl")),
    ("bonds_branch", stage_source!("bonds_branch.wgsl")),
    ("ema", stage_source!("ema.wgsl")),
    ("liquid_alpha", stage_source!("liquid_alpha.wgsl")),
    ("dividends", row_stage_source!("dividends.wgsl")),
    ("emission", stage_source!("emission.wgsl")),
    ("compact", row_stage_source!("compact.wgsl")),
    ("offsets", stage_source!("offsets.wgsl")),
];

/// Parses and validates a stage's WGSL with naga (64-bit integers enabled).
pub fn parse_stage(
    name: &str,
    source: &str,
) -> Result<(naga::Module, naga::valid::ModuleInfo), GpuError> {
    let module = naga::front::wgsl::parse_str(source)
        .map_err(|e| GpuError::Shader(format!("{name}.wgsl: {}", e.emit_to_string(source))))?;
    let info = naga::valid::Validator::new(
        naga::valid::ValidationFlags::all(),
        naga::valid::Capabilities::all(),
    )
    .validate(&module)
    .map_err(|e| GpuError::Shader(format!("{name}.wgsl: {}", e.emit_to_string(source))))?;
    Ok((module, info))
}

/// One stage module: its bind group layout and a pipeline per entry point.
pub struct StageModule {
    pub layout: wgpu::BindGroupLayout,
    /// Binding numbers declared by the module, ascending.
    pub bindings: Vec<u32>,
    pub pipelines: HashMap<String, wgpu::ComputePipeline>,
}

/// All stage modules of a context.
pub struct Kernels {
    pub stages: HashMap<&'static str, StageModule>,
}

fn layout_entries(module: &naga::Module) -> Vec<wgpu::BindGroupLayoutEntry> {
    let mut entries: Vec<wgpu::BindGroupLayoutEntry> = module
        .global_variables
        .iter()
        .filter_map(|(_, var)| {
            let binding = var.binding.as_ref()?;
            let read_only = match var.space {
                naga::AddressSpace::Storage { access } => {
                    !access.contains(naga::StorageAccess::STORE)
                }
                _ => return None,
            };
            Some(wgpu::BindGroupLayoutEntry {
                binding: binding.binding,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage { read_only },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            })
        })
        .collect();
    entries.sort_by_key(|e| e.binding);
    entries
}

impl Kernels {
    /// Builds every pipeline; WGSL or pipeline errors become `GpuError::Shader`.
    pub fn new(ctx: &GpuContext) -> Result<Kernels, GpuError> {
        let device = &ctx.device;
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let mut stages = HashMap::new();
        for &(name, source) in STAGES {
            let (module, _) = parse_stage(name, source)?;
            let entries = layout_entries(&module);
            let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(name),
                entries: &entries,
            });
            let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(name),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
            let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(name),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
            let mut pipelines = HashMap::new();
            for ep in &module.entry_points {
                let p = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(&ep.name),
                    layout: Some(&pipeline_layout),
                    module: &shader,
                    entry_point: Some(&ep.name),
                    compilation_options: Default::default(),
                    cache: None,
                });
                pipelines.insert(ep.name.clone(), p);
            }
            let bindings = entries.iter().map(|e| e.binding).collect();
            stages.insert(
                name,
                StageModule {
                    layout,
                    bindings,
                    pipelines,
                },
            );
        }
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Shader(format!("building the pipelines: {e}")));
        }
        Ok(Kernels { stages })
    }
}
