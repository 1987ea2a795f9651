#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = otlp_proto::ExportRequest { payload: data.to_vec() };
});
