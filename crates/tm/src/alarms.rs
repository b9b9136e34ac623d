//! The alarm lifecycle, per parameter: raised after `min_violations` consecutive out-of-limits
//! samples, escalated or eased as the level changes, acknowledged by a principal, cleared when
//! the value returns within limits, closed when it is both cleared and acknowledged. An
//! escalation above the level someone acknowledged needs a new acknowledgement.

use crate::value::ParamId;
use model::AlarmLevel;

/// Where an alarm is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlarmPhase {
    /// Out of limits, not acknowledged.
    Active,
    /// Out of limits, acknowledged.
    Acknowledged,
    /// Back within limits but not yet acknowledged: an operator must still see it.
    Cleared,
}

/// One open alarm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenAlarm {
    pub parameter: ParamId,
    pub phase: AlarmPhase,
    /// The level of the latest sample (Normal once cleared).
    pub level: AlarmLevel,
    /// The worst level since it was raised.
    pub worst: AlarmLevel,
    pub raised_ms: u64,
    /// Who acknowledged it, and when.
    pub acknowledged: Option<(String, u64)>,
}

/// What happened to an alarm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AlarmChange {
    Raised { parameter: ParamId, level: AlarmLevel, time_ms: u64 },
    LevelChanged { parameter: ParamId, from: AlarmLevel, to: AlarmLevel, time_ms: u64 },
    Acknowledged { parameter: ParamId, by: String, time_ms: u64 },
    Cleared { parameter: ParamId, time_ms: u64 },
    Closed { parameter: ParamId, time_ms: u64 },
}

/// Why an acknowledgement was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AlarmError {
    #[error("parameter {0:?} has no open alarm")]
    NoAlarm(ParamId),
    #[error("the alarm of parameter {0:?} is already acknowledged")]
    AlreadyAcknowledged(ParamId),
}

/// The open alarms of one deployment, and the violation counts that may raise new ones.
///
/// Indexed by parameter id (every sample of every packet passes here, so a lookup must cost
/// an index, not a tree walk).
#[derive(Clone, Debug, Default)]
pub struct AlarmBoard {
    open: Vec<Option<OpenAlarm>>,
    violations: Vec<u32>,
    n_open: usize,
}

fn slot<T: Default + Clone>(items: &mut Vec<T>, parameter: ParamId) -> &mut T {
    let idx = parameter.0 as usize;
    if idx >= items.len() {
        items.resize(idx + 1, T::default());
    }
    &mut items[idx]
}

impl AlarmBoard {
    /// An empty board.
    pub fn new() -> Self {
        AlarmBoard::default()
    }

    /// Takes one sample's monitoring level; returns what changed, if anything.
    pub fn observe(
        &mut self,
        parameter: ParamId,
        level: AlarmLevel,
        min_violations: u32,
        time_ms: u64,
    ) -> Option<AlarmChange> {
        let idx = parameter.0 as usize;
        if level == AlarmLevel::Normal {
            if let Some(count) = self.violations.get_mut(idx) {
                *count = 0;
            }
            let entry = self.open.get_mut(idx)?;
            let alarm = entry.as_mut()?;
            if alarm.phase == AlarmPhase::Cleared {
                return None;
            }
            alarm.level = AlarmLevel::Normal;
            if alarm.phase == AlarmPhase::Acknowledged {
                *entry = None;
                self.n_open -= 1;
                return Some(AlarmChange::Closed { parameter, time_ms });
            }
            alarm.phase = AlarmPhase::Cleared;
            return Some(AlarmChange::Cleared { parameter, time_ms });
        }
        let count = slot(&mut self.violations, parameter);
        *count = count.saturating_add(1);
        let count = *count;
        let entry = slot(&mut self.open, parameter);
        match entry {
            None if count >= min_violations.max(1) => {
                self.n_open += 1;
                *entry = Some(OpenAlarm {
                    parameter,
                    phase: AlarmPhase::Active,
                    level,
                    worst: level,
                    raised_ms: time_ms,
                    acknowledged: None,
                });
                Some(AlarmChange::Raised { parameter, level, time_ms })
            }
            None => None,
            Some(alarm) => {
                let from = alarm.level;
                let escalated = level > alarm.worst;
                alarm.level = level;
                alarm.worst = alarm.worst.max(level);
                if alarm.phase == AlarmPhase::Cleared || (escalated && alarm.phase == AlarmPhase::Acknowledged) {
                    alarm.phase = AlarmPhase::Active;
                    alarm.acknowledged = None;
                }
                (from != level).then_some(AlarmChange::LevelChanged { parameter, from, to: level, time_ms })
            }
        }
    }

    /// A principal acknowledges an alarm; a cleared alarm closes with it.
    pub fn acknowledge(
        &mut self,
        parameter: ParamId,
        principal: &str,
        time_ms: u64,
    ) -> Result<Vec<AlarmChange>, AlarmError> {
        let entry = self.open.get_mut(parameter.0 as usize).ok_or(AlarmError::NoAlarm(parameter))?;
        let alarm = entry.as_mut().ok_or(AlarmError::NoAlarm(parameter))?;
        let acknowledged = AlarmChange::Acknowledged { parameter, by: principal.to_string(), time_ms };
        match alarm.phase {
            AlarmPhase::Acknowledged => Err(AlarmError::AlreadyAcknowledged(parameter)),
            AlarmPhase::Active => {
                alarm.phase = AlarmPhase::Acknowledged;
                alarm.acknowledged = Some((principal.to_string(), time_ms));
                Ok(vec![acknowledged])
            }
            AlarmPhase::Cleared => {
                *entry = None;
                self.n_open -= 1;
                Ok(vec![acknowledged, AlarmChange::Closed { parameter, time_ms }])
            }
        }
    }

    /// Moves the board to another plan's parameter ids (a new model version): `new_id` maps
    /// each parameter id of the old plan to the new plan's id of the same parameter (by name),
    /// or to `None` when the new plan has no such parameter. Open alarms and the violation
    /// counts towards raising new ones follow their parameter, phase, levels, raise time and
    /// acknowledgement included; an open alarm whose parameter is gone closes, and its
    /// `Closed` change (with the old id) is returned. `new_id` must map no two ids to one.
    pub fn remap(&mut self, new_id: impl Fn(ParamId) -> Option<ParamId>, time_ms: u64) -> Vec<AlarmChange> {
        let mut closed = Vec::new();
        let (open, violations) = (std::mem::take(&mut self.open), std::mem::take(&mut self.violations));
        self.n_open = 0;
        for (idx, count) in violations.into_iter().enumerate() {
            if let Some(id) = new_id(ParamId(idx as u32)).filter(|_| count > 0) {
                *slot(&mut self.violations, id) = count;
            }
        }
        for alarm in open.into_iter().flatten() {
            match new_id(alarm.parameter) {
                Some(id) => {
                    let entry = slot(&mut self.open, id);
                    assert!(entry.is_none(), "remap maps two parameters to {id:?}");
                    *entry = Some(OpenAlarm { parameter: id, ..alarm });
                    self.n_open += 1;
                }
                None => closed.push(AlarmChange::Closed { parameter: alarm.parameter, time_ms }),
            }
        }
        closed
    }

    /// The open alarms, by parameter.
    pub fn open(&self) -> impl Iterator<Item = &OpenAlarm> {
        self.open.iter().flatten()
    }

    /// How many alarms are open.
    pub fn open_count(&self) -> usize {
        self.n_open
    }
}

#[cfg(test)]
mod tests;
