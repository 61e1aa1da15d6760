//! Studies and experiments as data (PRODUCT §6, issue 14), and the widget's settings they
//! are made of.
//!
//! A pure crate (no I/O, no Leptos, no browser): the widget parses studies and experiments
//! with it, the lab edits them, and the server validates a study with the same code before
//! it stores one, so a study the server accepts is one every participant's page can run.
//!
//! - [`settings`]: the widget's settings, one typed value, and [`settings::Settings::apply`],
//!   which every source (URL, panel, embed attributes, a variant) goes through;
//! - [`assign`]: which variant a participant gets (FNV-1a, published vectors), and what a
//!   participant id may be;
//! - [`experiment`]: an experiment (variants with weights and settings, tasks);
//! - [`definition`]: a study (an experiment with consent, reminders and a closing text);
//! - [`results`], [`stats`]: the results per variant of an experiment's or study's events
//!   (the console computes them from the mock's events, the server from its own);
//! - [`i18n`]: the bilingual message tables ([`messages!`], also the widget's) and this crate's
//!   error messages.

pub mod assign;
pub mod definition;
pub mod experiment;
pub mod i18n;
pub mod results;
pub mod settings;
pub mod stats;

pub use definition::{Study, StudyError};
pub use experiment::{Experiment, ExperimentError};
pub use hongbao_engine::Lang;
