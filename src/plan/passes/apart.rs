//! Why a piece of a catchment is left apart: the facts the connected
//! repair found, kept apart from their wording so that every document
//! can give them in its own language.

/// Why a piece of a catchment is left apart from the rest. Every reason
/// but `NotFound` proves that no connected plan within every limit holds
/// the piece. The plan keeps the facts; the documents word them in their
/// language (`report::reasons::apart`).
#[derive(Clone, Debug, PartialEq)]
pub enum Apart {
    /// A lock pins it to this school, away from the school's own zone.
    Locked,
    /// An island of `zones` zones with no school standing in it.
    Island { zones: usize },
    /// Its part of the map, cut off from the rest, holds more children
    /// than the seats of the schools standing in it.
    Short {
        zones: usize,
        children: i64,
        seats: i64,
        schools: usize,
    },
    /// Locks or the distance limit keep `zone` (the region's index) from
    /// every school standing in its part of the map.
    Unreachable { zone: usize },
    /// The exact connected model of a window around it (its whole part of
    /// the map, or the catchments around it with the rest as it stands)
    /// has no plan.
    NoConnectedPlan {
        zones: usize,
        schools: usize,
        whole_area: bool,
    },
    /// Feeders aligned: the primary catchments a junior school takes do
    /// not all touch.
    Feeders,
    /// No connected plan was found, and none was proven impossible.
    NotFound,
}

impl Apart {
    /// Whether the reason proves that no connected plan holds the piece.
    pub fn certified(&self) -> bool {
        !matches!(self, Apart::NotFound)
    }

    /// Whether the proof holds only with the rest of the map as it stands
    /// (the exact model of a window around the piece, the catchments
    /// outside it fixed): a plan that also changes those might still join
    /// it.
    pub fn proven_locally(&self) -> bool {
        matches!(
            self,
            Apart::NoConnectedPlan {
                whole_area: false,
                ..
            }
        )
    }
}
