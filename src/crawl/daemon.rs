//! `passend run`: the long-running process that fires jobs on cron schedules
//! (Europe/Amsterdam) until SIGTERM or ctrl-c.
//!
//! Jobs are registered with [`Daemon::add_job`]: a name, a cron expression and an async
//! closure called with the moment it fires. Crawls of the configured sources are registered by
//! [`Daemon::add_crawl_jobs`]; other parts of passend (the nightly mail) add their own jobs the
//! same way. Jobs run one at a time, in firing order; a failing job is logged and fires again
//! at its next time. On shutdown the running job is asked to stop (crawls commit what they have
//! and resume next time) and the loop returns.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{CrawlerConfig, Source, StopFlag};
use crate::resources::Resources;

/// What a job returns: a line for the log, or an error.
pub type JobFuture = Pin<Box<dyn Future<Output = anyhow::Result<String>>>>;

struct Job {
    name: String,
    schedule: cron::Schedule,
    next: Option<DateTime<Utc>>,
    run: Box<dyn FnMut(DateTime<Utc>) -> JobFuture>,
}

/// One finished job run, for tests and logs.
#[derive(Debug, Clone)]
pub struct JobRun {
    pub job: String,
    pub fired_at: DateTime<Utc>,
    pub result: Result<String, String>,
}

pub struct Daemon {
    jobs: Vec<Job>,
    stop: StopFlag,
}

impl Default for Daemon {
    fn default() -> Self {
        Daemon::new()
    }
}

impl Daemon {
    pub fn new() -> Daemon {
        Daemon {
            jobs: vec![],
            stop: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The flag set on shutdown; long jobs should check it and return early.
    pub fn stop_flag(&self) -> StopFlag {
        self.stop.clone()
    }

    pub fn job_names(&self) -> Vec<String> {
        self.jobs.iter().map(|j| j.name.clone()).collect()
    }

    /// Register a job. `schedule`: a cron expression (see [`crate::schedule::parse`]).
    pub fn add_job<F, Fut>(&mut self, name: &str, schedule: &str, mut f: F) -> anyhow::Result<()>
    where
        F: FnMut(DateTime<Utc>) -> Fut + 'static,
        Fut: Future<Output = anyhow::Result<String>> + 'static,
    {
        let schedule =
            crate::schedule::parse(schedule).map_err(|e| anyhow::anyhow!("job `{name}`: {e}"))?;
        self.jobs.push(Job {
            name: name.to_string(),
            schedule,
            next: None,
            run: Box::new(move |now| Box::pin(f(now))),
        });
        Ok(())
    }

    /// One crawl job per source with a `schedule`; returns the names of sources without one.
    pub fn add_crawl_jobs(
        &mut self,
        cfg: &CrawlerConfig,
        sources: &[Source],
        res: Arc<Resources>,
        data: PathBuf,
    ) -> anyhow::Result<Vec<String>> {
        let mut unscheduled = vec![];
        for s in sources {
            let Some(expr) = s.schedule.clone() else {
                unscheduled.push(s.name.clone());
                continue;
            };
            let (cfg, source, res, data, stop) = (
                cfg.clone(),
                s.clone(),
                res.clone(),
                data.clone(),
                self.stop.clone(),
            );
            self.add_job(&format!("crawl {}", s.name), &expr, move |_now| {
                let (cfg, source, res, data, stop) = (
                    cfg.clone(),
                    source.clone(),
                    res.clone(),
                    data.clone(),
                    stop.clone(),
                );
                async move {
                    let reports = super::crawl_sources(
                        &cfg,
                        std::slice::from_ref(&source),
                        &res,
                        &data,
                        None,
                        false,
                        Some(stop),
                    )
                    .await?;
                    Ok(reports
                        .iter()
                        .map(|r| r.line())
                        .collect::<Vec<_>>()
                        .join("\n"))
                }
            })?;
        }
        Ok(unscheduled)
    }

    /// Run jobs on their schedules until `shutdown` completes. A job running at shutdown gets
    /// the stop flag and up to `grace` to finish. Returns every job run.
    pub async fn run_until(
        mut self,
        shutdown: impl Future<Output = ()>,
        grace: Duration,
    ) -> anyhow::Result<Vec<JobRun>> {
        let mut runs = vec![];
        tokio::pin!(shutdown);
        let now = Utc::now();
        for j in &mut self.jobs {
            j.next = crate::schedule::next_after(&j.schedule, now);
            tracing::info!("job `{}`: next run {:?}", j.name, j.next);
        }
        loop {
            let Some((i, at)) = self
                .jobs
                .iter()
                .enumerate()
                .filter_map(|(i, j)| j.next.map(|t| (i, t)))
                .min_by_key(|(_, t)| *t)
            else {
                // nothing scheduled: wait for shutdown
                shutdown.as_mut().await;
                break;
            };
            let wait = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
            tokio::select! {
                _ = shutdown.as_mut() => break,
                _ = tokio::time::sleep(wait) => {}
            }
            let job = &mut self.jobs[i];
            tracing::info!("job `{}` starts", job.name);
            let fut = (job.run)(at);
            tokio::pin!(fut);
            let mut stopping = false;
            let result = tokio::select! {
                r = fut.as_mut() => r,
                _ = shutdown.as_mut() => {
                    stopping = true;
                    self.stop.store(true, Ordering::Relaxed);
                    match tokio::time::timeout(grace, fut.as_mut()).await {
                        Ok(r) => r,
                        Err(_) => Err(anyhow::anyhow!("stopped at shutdown")),
                    }
                }
            };
            match &result {
                Ok(line) => tracing::info!("job `{}` done: {line}", job.name),
                Err(e) => tracing::warn!("job `{}` failed: {e:#}", job.name),
            }
            runs.push(JobRun {
                job: job.name.clone(),
                fired_at: at,
                result: result.map_err(|e| format!("{e:#}")),
            });
            if stopping {
                break;
            }
            // the next firing after now: a job that overran skips the times it missed
            job.next = crate::schedule::next_after(&job.schedule, Utc::now().max(at));
        }
        Ok(runs)
    }
}

/// Completes on ctrl-c or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// A second ctrl-c / SIGTERM ends the process at once (exit code 130), for when the first one
/// asked for a clean stop that takes too long. Call from inside the runtime.
pub fn exit_on_second_signal() {
    tokio::spawn(async {
        shutdown_signal().await;
        eprintln!("passend: stoppen… (nogmaals ctrl-c om direct te stoppen)");
        shutdown_signal().await;
        std::process::exit(130);
    });
}
