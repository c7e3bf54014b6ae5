//! The inner steps on a 1,000-item ResourceList (about 1 MB): the parse alone (the floor), the
//! scan (parse + capture), and whole runs on YAML and JSON, with a second run on the output (the
//! common case in kpt: everything generated already, nothing to change), and a run with a backup
//! policy on every subject.
//!
//!     cargo bench --bench inner

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use stash_autobackup::internals::read_yaml;
use stash_autobackup::{Options, run};
use std::hint::black_box;

#[path = "tools/generate.rs"]
mod generate;

fn benches(c: &mut Criterion) {
    let yaml = generate::resource_list(1000, false);
    let json = generate::resource_list(1000, true);
    let policies = generate::with_policies(yaml.clone(), false);
    let rerun = {
        let first = run(&yaml, &Options::default(), &|_| None).expect("readable");
        String::from_utf8(first.output(yaml.as_bytes())).expect("UTF-8")
    };

    let mut group = c.benchmark_group("1000 items");
    group.throughput(Throughput::Bytes(yaml.len() as u64));
    group.bench_function("parse only (granit events)", |b| {
        b.iter(|| {
            let options =
                granit_parser::options! { emit_anchor_events: true, emit_comments: false };
            granit_parser::Parser::new_from_str_with_options(black_box(&yaml), options).count()
        })
    });
    group.bench_function("scan", |b| {
        let interest = stash_autobackup::internals::interest();
        b.iter(|| read_yaml(black_box(&yaml), &interest).map(|s| s.documents.len()))
    });
    group.bench_function("run, YAML", |b| {
        b.iter(|| {
            let out = run(black_box(&yaml), &Options::default(), &|_| None).expect("readable");
            out.output(yaml.as_bytes()).len()
        })
    });
    group.bench_function("run, JSON", |b| {
        b.iter(|| {
            let out = run(black_box(&json), &Options::default(), &|_| None).expect("readable");
            out.output(json.as_bytes()).len()
        })
    });
    group.bench_function("run, YAML, a policy on every subject", |b| {
        b.iter(|| {
            let out = run(black_box(&policies), &Options::default(), &|_| None).expect("readable");
            out.output(policies.as_bytes()).len()
        })
    });
    group.bench_function("run again on its own output", |b| {
        b.iter(|| {
            let out = run(black_box(&rerun), &Options::default(), &|_| None).expect("readable");
            out.output(rerun.as_bytes()).len()
        })
    });
    group.finish();
}

criterion_group!(inner, benches);
criterion_main!(inner);
