use std::{sync::Arc, time::Duration};

use crate::{metrics::Metrics, Error};

/// What the reconciler asks the runtime to do next.
#[derive(Debug, PartialEq)]
pub enum Action {
    Requeue(Duration),
    AwaitChange,
}

pub struct Document {
    pub name: String,
}

pub async fn reconcile(doc: Arc<Document>) -> Result<Action, Error> {
    if doc.name == "illegal" {
        return Err(Error::IllegalDocument(doc.name.clone()));
    }
    Ok(Action::AwaitChange)
}

/// Failed reconciles are retried after five minutes.
pub fn error_policy(_doc: Arc<Document>, _error: &Error, metrics: &mut Metrics) -> Action {
    metrics.failures += 1;
    Action::Requeue(Duration::from_secs(5 * 60))
}

pub async fn run() {}

#[cfg(test)]
mod test {
    use super::*;
    use crate::fixtures::timeout_after_1s;

    #[tokio::test]
    async fn documents_without_finalizer_get_a_finalizer() {
        let mocksrv = tokio::spawn(async {});
        let doc = Arc::new(Document { name: "test".into() });
        reconcile(doc).await.expect("reconciler");
        timeout_after_1s(mocksrv).await;
    }

    #[tokio::test]
    async fn illegal_doc_reconcile_errors_which_bumps_failure_metric() {
        let doc = Arc::new(Document { name: "illegal".into() });
        let res = reconcile(doc.clone()).await;
        assert!(res.is_err(), "apply reconciler fails on illegal doc");
        let mut metrics = Metrics::default();
        error_policy(doc, &res.unwrap_err(), &mut metrics);
        assert_eq!(metrics.failures, 1);
    }
}
