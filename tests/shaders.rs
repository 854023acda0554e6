//! Every WGSL stage parses and validates with naga (64-bit integers on), and the host's
//! parameter structs have exactly the WGSL layout.

use std::mem::{offset_of, size_of};

use yuma::gpu::kernels::{parse_stage, STAGES};
use yuma::gpu::params::{EpochParams, MatView};

#[test]
fn every_stage_validates() {
    for &(name, source) in STAGES {
        let (module, _) = parse_stage(name, source).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !module.entry_points.is_empty(),
            "{name}.wgsl has no entry point"
        );
    }
}

/// (member name, offset) of a WGSL struct, and its size, as naga lays it out.
fn wgsl_layout(struct_name: &str) -> (Vec<(String, u32)>, u32) {
    let (_, source) = STAGES[0];
    let (module, _) = parse_stage("stake", source).expect("valid");
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).expect("layout");
    let (handle, ty) = module
        .types
        .iter()
        .find(|(_, t)| t.name.as_deref() == Some(struct_name))
        .unwrap_or_else(|| panic!("no struct {struct_name}"));
    match &ty.inner {
        naga::TypeInner::Struct { members, span } => {
            let _ = handle;
            (
                members
                    .iter()
                    .map(|m| (m.name.clone().unwrap_or_default(), m.offset))
                    .collect(),
                *span,
            )
        }
        _ => panic!("{struct_name} is not a struct"),
    }
}

#[test]
fn params_layout_matches_wgsl() {
    let (members, span) = wgsl_layout("Params");
    assert_eq!(span as usize, size_of::<EpochParams>(), "size of Params");
    let rust: Vec<(&str, usize)> = vec![
        ("n", offset_of!(EpochParams, n)),
        ("nnz_w", offset_of!(EpochParams, nnz_w)),
        ("nnz_b", offset_of!(EpochParams, nnz_b)),
        ("n_slots", offset_of!(EpochParams, n_slots)),
        ("owner", offset_of!(EpochParams, owner)),
        ("k", offset_of!(EpochParams, k)),
        ("flags", offset_of!(EpochParams, flags)),
        ("epoch", offset_of!(EpochParams, epoch)),
        ("o_n", offset_of!(EpochParams, o_n)),
        ("o_n1", offset_of!(EpochParams, o_n1)),
        ("o_e", offset_of!(EpochParams, o_e)),
        ("o_s", offset_of!(EpochParams, o_s)),
        ("o_x", offset_of!(EpochParams, o_x)),
        ("_pad0", offset_of!(EpochParams, _pad0)),
        ("_pad1", offset_of!(EpochParams, _pad1)),
        ("_pad2", offset_of!(EpochParams, _pad2)),
        ("block", offset_of!(EpochParams, block)),
        ("activity_cutoff", offset_of!(EpochParams, activity_cutoff)),
        ("stake_threshold", offset_of!(EpochParams, stake_threshold)),
        ("last_tempo", offset_of!(EpochParams, last_tempo)),
        ("rao_emission", offset_of!(EpochParams, rao_emission)),
        ("_pad3", offset_of!(EpochParams, _pad3)),
        ("tao_weight", offset_of!(EpochParams, tao_weight_lo)),
        ("kappa", offset_of!(EpochParams, kappa)),
        ("penalty", offset_of!(EpochParams, penalty)),
        ("alpha", offset_of!(EpochParams, alpha)),
        ("alpha_low", offset_of!(EpochParams, alpha_low)),
        ("alpha_high", offset_of!(EpochParams, alpha_high)),
        ("steepness", offset_of!(EpochParams, steepness)),
    ];
    assert_eq!(members.len(), rust.len(), "member count of Params");
    for ((wname, woff), (rname, roff)) in members.iter().zip(&rust) {
        assert_eq!(wname, rname, "member order");
        assert_eq!(*woff as usize, *roff, "offset of Params.{wname}");
    }
    assert_eq!(
        offset_of!(EpochParams, tao_weight_hi),
        offset_of!(EpochParams, tao_weight_lo) + 8
    );

    let (members, span) = wgsl_layout("MatView");
    assert_eq!(span as usize, size_of::<MatView>(), "size of MatView");
    assert_eq!(
        members[0],
        ("dense".to_string(), offset_of!(MatView, dense) as u32)
    );
}
