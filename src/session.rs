//! What `serve` keeps between rebuilds, so a rebuild after a small edit
//! costs little more than that edit. A rebuild's result is always the same
//! as a fresh build's: every cache is looked up by a key that covers all
//! its entry depends on. The caches, each owned by its stage, and their keys:
//!
//! - content files ([`content::LoadCache`], load): by `content/`-relative
//!   path; only files the watcher reports changed are read again. Cleared
//!   when the configuration (`config_key`: site.yaml as parsed, but for
//!   the base URL) changes or a build stops before reading the changed
//!   files. Shared with the audit line ([`Session::reader`]).
//! - the model and its statistics ([`site::ModelCache`], model and
//!   stats): the last site, reused whole when the configuration, the unit
//!   registry's fields and the documents are the same, each the `Arc` the
//!   load cache shared or one read again with the same fields hash, or
//!   else the same fields the model reads and no problem found in it.
//! - personal-data findings ([`privacy::Cache`], privacy) and figure
//!   warnings ([`file_checks::Cache`], figures): per file by its
//!   `content/`-relative path and the hash of its bytes (an office
//!   attachment by size and modification time), under a seed of the
//!   configuration the check reads (allow-list, metrics).
//! - rendered Markdown ([`render::BodyCache`], markdown): by
//!   [`Rendered::key`](crate::render::markdown::Rendered::key), an xxh3 of
//!   the file's path seeded with its text's hash and the link context (all
//!   site paths, assets, base path, options: [`render::link_context_hash`]).
//! - the search index ([`render::search::SearchCache`], search): per
//!   document by site path, body key, a hash of the fields the index reads
//!   and a hash of its plain text, and not read at all when its `Arc` and
//!   its body's are the last build's (under the same link context and
//!   units); files by shard and chunk.
//! - rendered pages ([`RenderCache`], render): by job signature (the
//!   versions of what a page's context reads, `render::pages::Versions`,
//!   checked before the context is built), then by a hash of the context
//!   itself with the template sources and globals; static files and assets
//!   by path, size and modification time.
//!
//! A [`Session::cold`] session (`serve`'s) fills them only from its second
//! rebuild: its first builds as `build` does, in batches with the search
//! index spilled, which answers the first page sooner and in less memory
//! than reading and rendering every document at once; `serve` runs the
//! second right after it ([`Session::warming`]).

use crate::diagnostics::Diagnostic;
use crate::{
    config, content, file_checks, output, privacy, render, site, BuildOptions, BuildReport, Error,
    Phases,
};
use std::path::PathBuf;

/// The caches of one `serve` (see the module header).
#[derive(Default)]
pub struct Session {
    stage: Stage,
    load: content::LoadCache,
    /// The configuration the loaded documents were read with.
    config_key: String,
    /// Site-root-relative paths changed since the last rebuild (None: any).
    changed: Option<Vec<PathBuf>>,
    pub(crate) model: site::ModelCache,
    pub(crate) privacy: privacy::Cache,
    pub(crate) figures: file_checks::Cache,
    pub(crate) bodies: render::BodyCache,
    pub(crate) search: render::search::SearchCache,
    pub(crate) render: render::RenderCache,
    pub(crate) desk: render::desk::Cache,
    /// Files the last rebuild produced.
    files: usize,
    /// The base path of the last configuration read.
    base_path: Option<String>,
    /// Builds run so far (numbers builds for [`Session::run_id`]).
    runs: u64,
}

/// How far a session is in filling its caches.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    /// The next rebuild builds in batches and fills no cache.
    Cold,
    /// The last rebuild was a good one in batches: the caches are empty.
    Warming,
    /// Rebuilds go through the caches.
    #[default]
    Warm,
}

impl Session {
    /// A session whose first rebuild (and every next one until one
    /// succeeds) builds in batches as `build` does, keeping nothing but the
    /// number of files and the base path; the rebuild after a good one
    /// fills the caches.
    pub fn cold() -> Session {
        Session {
            stage: Stage::Cold,
            ..Session::default()
        }
    }

    /// Whether the last rebuild was a good one in batches: the caches are
    /// still empty, and the next rebuild reads and renders everything.
    pub fn warming(&self) -> bool {
        self.stage == Stage::Warming
    }

    /// Whether rebuilds go through the caches (`run`: else in batches).
    pub(crate) fn caching(&self) -> bool {
        self.stage != Stage::Cold
    }

    /// Builds into memory, reusing what is unchanged. `changed`: the
    /// site-root-relative paths reported changed since the last call, or
    /// None when unknown (everything under `content/` is read again).
    pub fn rebuild(
        &mut self,
        opts: &BuildOptions,
        changed: Option<&[PathBuf]>,
    ) -> Result<(output::Memory, BuildReport), Error> {
        let mem = output::Memory::with_capacity(self.files);
        let report = self.rebuild_into(opts, changed, &mem)?;
        Ok((mem, report))
    }

    /// [`Session::rebuild`] through `sink`. The caches keep the handles
    /// `sink` returns ([`output::Blob`]): a session writes through one kind
    /// of sink (and one [`crate::store::Store`]) all its life.
    pub fn rebuild_into(
        &mut self,
        opts: &BuildOptions,
        changed: Option<&[PathBuf]>,
        sink: &dyn output::Sink,
    ) -> Result<BuildReport, Error> {
        self.changed = changed.map(<[PathBuf]>::to_vec);
        self.runs += 1;
        self.render.run = self.runs;
        let mut phases = Phases::new();
        let result = crate::run(opts, sink, &mut phases, false, Some(self));
        self.stage = match (self.stage, &result) {
            (Stage::Cold, Ok(_)) => Stage::Warming,
            (Stage::Cold, Err(_)) => Stage::Cold,
            _ => Stage::Warm,
        };
        if self.changed.take().is_some() {
            // The build stopped before reading the changed files (a broken
            // site.yaml): the next one reads everything.
            self.load.clear();
        }
        let (written, warnings) = result?;
        self.files = written.files;
        Ok(phases.report(written, warnings, None))
    }

    /// A session holding only the load cache of this one (its documents
    /// shared, not copied), for reading the last rebuild's model again
    /// without reading `content/` (`serve`'s audit line: see
    /// [`crate::audit_built`]). Any configuration but the base URL must be
    /// the same, or `content/` is read again.
    pub fn reader(&self) -> Session {
        Session {
            load: self.load.clone(),
            config_key: self.config_key.clone(),
            changed: Some(Vec::new()),
            ..Session::default()
        }
    }

    /// The number of the last build run (1 for the first), which a sink
    /// made to start from that build's files carries (see
    /// [`Sink::carries`](crate::output::Sink::carries)).
    pub fn run_id(&self) -> u64 {
        self.runs
    }

    /// Whether the render cache holds the outputs of build `run` (see
    /// [`Session::run_id`]): only then can a sink starting from that
    /// build's files be handed fewer files than the build has.
    pub fn carries_from(&self, run: u64) -> bool {
        run != 0 && self.render.signed_run() == run
    }

    /// Files the last successful rebuild produced.
    pub fn files(&self) -> usize {
        self.files
    }

    /// The path part of the base URL (`/cw/`) of the last configuration
    /// read, whether or not that build succeeded; None before any was.
    pub fn base_path(&self) -> Option<&str> {
        self.base_path.as_deref()
    }

    /// Whether the last rebuild reused the model before it (no document's
    /// fields changed: see [`site::ModelCache`]).
    pub fn model_reused(&self) -> bool {
        self.model.reused()
    }

    /// Template renders in the last rebuild: (rendered, reused).
    pub fn last_render(&self) -> (usize, usize) {
        self.render.last
    }

    /// Reads `content/` through the load cache: only the changed files
    /// when the configuration is the one the cache was filled with.
    pub(crate) fn load_content(
        &mut self,
        opts: &BuildOptions,
        config: &config::Config,
    ) -> (content::Content, Vec<Diagnostic>) {
        self.base_path = Some(config.base_path.clone());
        if !self.caching() {
            // As `build` reads it: the texts are read again batch by batch.
            self.changed = None;
            return content::load(&opts.root, config, opts.include());
        }
        // Documents are read against the configuration (metrics…), never
        // its base URL; which documents are kept is chosen after reading.
        let config_key = format!(
            "{:?}",
            config::Config {
                base_url: String::new(),
                base_path: String::new(),
                ..config.clone()
            }
        );
        if self.config_key != config_key {
            self.load.clear();
            self.config_key = config_key;
        }
        let changed = self.changed.take();
        content::load_cached(
            &opts.root,
            config,
            opts.include(),
            &mut self.load,
            changed.as_deref(),
        )
    }
}
