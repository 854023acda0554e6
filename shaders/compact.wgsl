// Final bonds out of the GPU: the live entries of every row, in row order, packed into one
// list (row offsets by an exclusive scan), each with its I32F32 bits (`out_val`) and, in one
// word (`out_entry`), its column j and u16(x·65535): j | u16 << 16.
//   count_rows:   live entries per row        (one workgroup per row)
//   (offsets.wgsl: the counts become the row offsets, one workgroup)
//   scan_epochs:  each epoch's start in the batch's packed list (one workgroup for the batch)
//   compact_rows: order-preserving copy       (one workgroup per row)
// The packed lists of a batch's epochs follow each other, from bond_base[e] for epoch e, so the
// whole batch is read back in one piece of bond_base[epochs] entries.

@group(0) @binding(7) var<storage, read_write> row_offset: array<u32>;
@group(0) @binding(8) var<storage, read_write> out_entry: array<u32>;
@group(0) @binding(9) var<storage, read_write> out_val: array<i64>;
@group(0) @binding(11) var<storage, read_write> bond_base: array<u32>;

@compute @workgroup_size(256)
fn count_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let i = enter(L_GROUPS_N, wid, nwg, lid3.x);
    if i == NONE {
        return;
    }
    let lid = lid3.x;
    if i >= params.n {
        return;
    }
    let r = row_range(i);
    var c = 0u;
    for (var k = r.begin + lid; k < r.end; k += WG) {
        c += m_live[params.o_x + k];
    }
    let total = workgroup_scan(lid, c);
    if lid == WG - 1u {
        row_offset[params.o_n1 + i + 1u] = total;
    }
}

// One workgroup for the whole batch: bond_base[e] = Σ_{e' < e} (live entries of epoch e'), and
// bond_base[epochs] the batch's total.
@compute @workgroup_size(256)
fn scan_epochs(@builtin(local_invocation_id) lid3: vec3<u32>) {
    let lid = lid3.x;
    let epochs = launch[0];
    let share = contiguous_chunk(lid, epochs);
    var c = 0u;
    for (var e = share.x; e < share.y; e++) {
        let p = all_params[e];
        c += row_offset[p.o_n1 + p.n];
    }
    var running = workgroup_scan(lid, c) - c;
    for (var e = share.x; e < share.y; e++) {
        bond_base[e] = running;
        let p = all_params[e];
        running += row_offset[p.o_n1 + p.n];
    }
    if lid == WG - 1u {
        bond_base[epochs] = wg_scan[WG - 1u];
    }
}

@compute @workgroup_size(256)
fn compact_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    let i = enter(L_GROUPS_N, wid, nwg, lid3.x);
    if i == NONE {
        return;
    }
    let lid = lid3.x;
    if i >= params.n {
        return;
    }
    let r = row_range(i);
    var out = row_offset[params.o_n1 + i];
    for (var start = r.begin; start < r.end; start += WG) {
        let k = start + lid;
        var live = 0u;
        if k < r.end {
            live = m_live[params.o_x + k];
        }
        let rank = workgroup_scan(lid, live);
        if live != 0u {
            let at = bond_base[params.epoch] + out + rank - 1u;
            let j = entry_col(k, r.base);
            out_entry[at] = j | (fx_to_u16_proportion(m_val[params.o_x + k]) << 16u);
            out_val[at] = m_val[params.o_x + k];
        }
        out += workgroupUniformLoad(&wg_scan[WG - 1u]);
        // Everyone has read the total before the next chunk overwrites the scan.
        workgroupBarrier();
    }
}
