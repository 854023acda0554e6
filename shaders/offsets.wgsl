// Offsets from counts, one workgroup per epoch: the counts of rows (or columns) 0..n in
// pointers[1..=n] become their inclusive prefix sums, and pointers[0] = 0, so row i's entries
// are [pointers[i], pointers[i + 1]). Compaction (row offsets of the packed final bonds) and the
// column lists (col_ptr) both end their counting with it.

@group(0) @binding(1) var<storage, read_write> pointers: array<u32>;

@compute @workgroup_size(256)
fn offsets(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>) {
    if enter(L_ONE, wid, nwg, lid3.x) == NONE {
        return;
    }
    let lid = lid3.x;
    let share = contiguous_chunk(lid, params.n);
    let first = params.o_n1 + 1u;
    var sum = 0u;
    for (var i = share.x; i < share.y; i++) {
        sum += pointers[first + i];
    }
    var running = workgroup_scan(lid, sum) - sum;
    for (var i = share.x; i < share.y; i++) {
        running += pointers[first + i];
        pointers[first + i] = running;
    }
    if lid == 0u {
        pointers[params.o_n1] = 0u;
    }
}
