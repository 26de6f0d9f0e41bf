//! Requests released together, the way a burst from the world arrives.

use std::sync::Arc;
use tokio::sync::Barrier;

/// Runs `n` requests released at the same moment (a barrier); answers their results in order.
pub async fn burst<F, Fut, T>(n: usize, request: F) -> Vec<T>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(n));
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let barrier = barrier.clone();
            let request = request(i);
            tokio::spawn(async move {
                barrier.wait().await;
                request.await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}
