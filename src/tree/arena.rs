//! [`Arena`]: where views write the text they decode.

use bumpalo::Bump;
use core::fmt;

/// Storage for decoded text (values with references, text runs with CDATA sections or
/// CR): views of an [`OwnedStanza`](crate::OwnedStanza) read through
/// [`stanza_in`](crate::OwnedStanza::stanza_in) write into the arena the caller lends,
/// and [`reset`](Self::reset) makes its memory reusable, so reading allocates nothing once
/// the arena has grown. Creating one does not allocate.
#[derive(Default)]
pub struct Arena {
    bump: Bump,
}

impl Arena {
    /// An empty arena.
    pub fn new() -> Self {
        Arena::default()
    }

    /// Forgets everything decoded into the arena, keeping its memory for reuse (views
    /// borrowing it must be gone, which the borrow checker ensures).
    pub fn reset(&mut self) {
        self.bump.reset();
    }

    /// Heap bytes the arena holds.
    pub fn allocated_bytes(&self) -> usize {
        self.bump.allocated_bytes()
    }

    #[inline]
    pub(crate) fn bump(&self) -> &Bump {
        &self.bump
    }
}

impl fmt::Debug for Arena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Arena")
            .field("allocated_bytes", &self.allocated_bytes())
            .finish()
    }
}
