//! One operation at a time, shared by everyone who asks while it runs. The token renewal needs
//! this: the refresh cookie is rotated on every use, and a second request with the old cookie looks
//! like a stolen token to the server, which then ends the session. Pages, the event stream and
//! the start-up check can all hit an expired access token at the same moment.

use std::{
    cell::RefCell,
    future::Future,
    pin::Pin,
    rc::Rc,
    task::{Context, Poll, Waker},
};

struct Flight<T> {
    result: Option<T>,
    waiters: Vec<Waker>,
}

type Current<T> = Rc<RefCell<Option<Rc<RefCell<Flight<T>>>>>>;

/// Runs at most one operation at a time; callers that arrive meanwhile get its result. Clones
/// share the same state.
pub struct SingleFlight<T> {
    current: Current<T>,
}

impl<T> Clone for SingleFlight<T> {
    fn clone(&self) -> Self {
        Self {
            current: self.current.clone(),
        }
    }
}

impl<T: Clone> SingleFlight<T> {
    /// Nothing running.
    pub fn new() -> Self {
        Self {
            current: Rc::new(RefCell::new(None)),
        }
    }

    /// Runs `start()` unless an earlier call is still running, in which case its result is
    /// awaited instead. If the running call is dropped unfinished, its waiters get `cancelled`.
    pub async fn run<F: Future<Output = T>>(&self, start: impl FnOnce() -> F, cancelled: T) -> T {
        let running = self.current.borrow().clone();
        if let Some(flight) = running {
            return Wait(flight).await;
        }
        let flight = Rc::new(RefCell::new(Flight {
            result: None,
            waiters: Vec::new(),
        }));
        *self.current.borrow_mut() = Some(flight.clone());
        let guard = Finish {
            owner: self.current.clone(),
            flight,
            cancelled: Some(cancelled),
        };
        let result = start().await;
        guard.finish(result.clone());
        result
    }
}

impl<T: Clone> Default for SingleFlight<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Hands the result to the waiters, also when the leading call is dropped half-way.
struct Finish<T: Clone> {
    owner: Current<T>,
    flight: Rc<RefCell<Flight<T>>>,
    cancelled: Option<T>,
}

impl<T: Clone> Finish<T> {
    fn finish(mut self, result: T) {
        self.cancelled = Some(result);
    }
}

impl<T: Clone> Drop for Finish<T> {
    fn drop(&mut self) {
        *self.owner.borrow_mut() = None;
        let waiters = {
            let mut flight = self.flight.borrow_mut();
            flight.result = self.cancelled.take();
            std::mem::take(&mut flight.waiters)
        };
        waiters.into_iter().for_each(Waker::wake);
    }
}

struct Wait<T>(Rc<RefCell<Flight<T>>>);

impl<T: Clone> Future for Wait<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut flight = self.0.borrow_mut();
        match &flight.result {
            Some(result) => Poll::Ready(result.clone()),
            None => {
                flight.waiters.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use std::cell::Cell;

    /// A future that stays pending until the test opens it.
    #[derive(Clone, Default)]
    struct Gate(Rc<Cell<bool>>);

    impl Future for Gate {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            if self.0.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }

    fn poll<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn callers_during_a_run_share_its_result_and_start_nothing() {
        let flight = SingleFlight::<u32>::new();
        let started = Cell::new(0);
        let gate = Gate::default();
        let op = || {
            started.set(started.get() + 1);
            let gate = gate.clone();
            let n = started.get();
            async move {
                gate.await;
                n
            }
        };
        let mut first = Box::pin(flight.run(op, 0));
        let mut second = Box::pin(flight.run(op, 0));
        assert!(poll(first.as_mut()).is_pending());
        assert!(poll(second.as_mut()).is_pending());
        assert_eq!(
            started.get(),
            1,
            "the second caller waits, it does not start again"
        );
        gate.0.set(true);
        assert_eq!(poll(first.as_mut()), Poll::Ready(1));
        assert_eq!(poll(second.as_mut()), Poll::Ready(1));

        // Once finished, the next call runs anew.
        let mut third = Box::pin(flight.run(op, 0));
        assert_eq!(poll(third.as_mut()), Poll::Ready(2));
    }

    #[test]
    fn waiters_hear_of_a_dropped_run() {
        let flight = SingleFlight::<u32>::new();
        let gate = Gate::default();
        let mut first = Box::pin(flight.run(
            || {
                let gate = gate.clone();
                async move {
                    gate.await;
                    7
                }
            },
            0,
        ));
        let mut second = Box::pin(flight.run(|| async { 9 }, 0));
        assert!(poll(first.as_mut()).is_pending());
        assert!(poll(second.as_mut()).is_pending());
        drop(first);
        assert_eq!(poll(second.as_mut()), Poll::Ready(0), "the cancelled value");
    }
}
