//! The answers of searches already made, for a caller that asks the same
//! again: a county's repairs (the starts, then each repair deepened) meet
//! many windows as another repair left them, with the same seats around.
//! A search's answer depends on its model and its budget alone (a node
//! budget, not a clock), so an answer found before is the answer, and a
//! memo shared across threads leaves every plan as it was.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::search::{Search, hunt, search};
use super::{Budgeted, ConnectedModel};

/// Answers by question; clones share them.
#[derive(Clone, Default)]
pub struct Memo(Arc<Mutex<Answers>>);

type Answers = HashMap<(ConnectedModel, Question), Budgeted>;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Question {
    Search(Search),
    Hunt(u64),
}

impl Memo {
    /// [`search`], or its answer from before.
    pub fn search(&self, model: &ConnectedModel, how: Search) -> Budgeted {
        self.answer(model, Question::Search(how))
    }

    /// [`hunt`], or its answer from before.
    pub fn hunt(&self, model: &ConnectedModel, nodes: u64) -> Budgeted {
        self.answer(model, Question::Hunt(nodes))
    }

    fn answer(&self, model: &ConnectedModel, question: Question) -> Budgeted {
        let key = (model.clone(), question);
        if let Some(known) = self.answers().get(&key) {
            return known.clone();
        }
        // Unlocked while it searches: the windows of a round search side
        // by side. Two threads asking the same find the same answer.
        let answer = match question {
            Question::Search(how) => search(model, how),
            Question::Hunt(nodes) => hunt(model, nodes),
        };
        self.answers().insert(key, answer.clone());
        answer
    }

    fn answers(&self) -> MutexGuard<'_, Answers> {
        // A panic in another thread leaves the answers as they were: each
        // is inserted whole.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{cut_off, line};
    use super::*;

    #[test]
    fn answers_as_the_search_and_asks_each_question_once() {
        let memo = Memo::default();
        let shared = memo.clone();
        for model in [line(), cut_off()] {
            for how in [Search::exact(1), Search::exact(1_000)] {
                assert_eq!(memo.search(&model, how), search(&model, how));
                assert_eq!(shared.search(&model, how), search(&model, how));
            }
            assert_eq!(memo.hunt(&model, 100), hunt(&model, 100));
        }
        // Two models, each with two searches and a hunt: asked twice, kept
        // once, and the clone shares them.
        assert_eq!(memo.answers().len(), 6);
        assert_eq!(shared.answers().len(), 6);
    }
}
