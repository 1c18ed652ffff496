//! anli (案例): a static-site generator for the case collection of China's intelligent
//! manufacturing pilot and demonstration action. Data flows one way through layers,
//! each a folder that imports only from itself and the layers below it, from the
//! bottom: base, input, model, markup, site, render, outputs, build, serve, app
//! (`tests/layers.rs` keeps it so; the README's "Code layout" says what each holds).

// Diagnostics are returned as values on purpose: they are the product of most stages.
#![allow(clippy::result_large_err)]

pub mod app;
pub mod base;
pub mod build;
pub mod input;
pub mod markup;
pub mod model;
pub mod outputs;
pub mod render;
pub mod serve;
pub mod site;
