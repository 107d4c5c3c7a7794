/// A bounded work queue.
pub struct Queue<T> {
    items: Vec<T>,
    capacity: usize,
}

pub trait Drain {
    fn drain_all(&mut self) -> usize;
}

impl<T> Queue<T> {
    pub fn new(capacity: usize) -> Self {
        Queue { items: Vec::new(), capacity }
    }

    pub fn push(&mut self, item: T) -> Result<(), T> {
        if self.items.len() >= self.capacity {
            return Err(item);
        }
        self.items.push(item);
        Ok(())
    }
}

pub enum Priority {
    Low,
    High,
}

fn checksum(data: &[u8]) -> u32 {
    data.iter().map(|b| *b as u32).sum()
}
