//! The canonical form of a model and its digest, and summary counts.
//!
//! The canonical form is compact JSON of the model after `canonicalize`: every keyed
//! collection sorted by qualified name (the `BTreeMap`s do that), and every list whose order
//! carries no meaning (aliases, enumeration values, alarm labels, verifiers) sorted. Lists
//! whose order is meaning (container entries, arguments, polynomial coefficients) are kept.

use crate::{MissionModel, TypeKind};
use base::Digest;

/// Why a model could not be put in canonical form.
#[derive(Debug, thiserror::Error)]
pub enum CanonicalError {
    #[error("canonical JSON of the model: {0}")]
    Json(#[from] serde_json::Error),
}

/// How many of each thing a model holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ModelSummary {
    pub space_systems: usize,
    pub parameters: usize,
    pub parameter_types: usize,
    pub containers: usize,
    pub commands: usize,
    pub argument_types: usize,
    pub calibrators: usize,
    pub alarms: usize,
    pub algorithms: usize,
}

impl MissionModel {
    /// Sorts every list whose order carries no meaning, so equal models compare equal.
    pub fn canonicalize(&mut self) {
        for space_system in self.space_systems.values_mut() {
            space_system.aliases.sort();
        }
        for data_type in self.parameter_types.values_mut().chain(self.argument_types.values_mut()) {
            if let TypeKind::Enumerated { values } = &mut data_type.kind {
                values.sort_by(|a, b| (a.value, a.max, &a.label).cmp(&(b.value, b.max, &b.label)));
            }
            if let Some(crate::Alarm::Enumeration { levels: alarm, .. }) = &mut data_type.alarm {
                alarm.labels.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
        for parameter in self.parameters.values_mut() {
            parameter.aliases.sort();
        }
        for container in self.containers.values_mut() {
            container.aliases.sort();
        }
        for command in self.commands.values_mut() {
            command.aliases.sort();
            command.verifiers.sort_by_key(|verifier| verifier.stage);
        }
    }

    /// The canonical bytes: compact JSON of the canonicalized model.
    pub fn canonical_json(&self) -> Result<Vec<u8>, CanonicalError> {
        let mut model = self.clone();
        model.canonicalize();
        Ok(serde_json::to_vec(&model)?)
    }

    /// The SHA-256 digest of the canonical bytes: what releases carry.
    pub fn digest(&self) -> Result<Digest, CanonicalError> {
        Ok(Digest::of(&self.canonical_json()?))
    }

    /// Reads a model back from its canonical bytes.
    pub fn from_canonical_json(bytes: &[u8]) -> Result<Self, CanonicalError> {
        Ok(serde_json::from_slice(bytes)?)
    }

    /// Counts of what the model holds.
    pub fn summary(&self) -> ModelSummary {
        let types = || self.parameter_types.values().chain(self.argument_types.values());
        ModelSummary {
            space_systems: self.space_systems.len(),
            parameters: self.parameters.len(),
            parameter_types: self.parameter_types.len(),
            containers: self.containers.len(),
            commands: self.commands.len(),
            argument_types: self.argument_types.len(),
            calibrators: types().map(|t| usize::from(t.calibrator.is_some()) + t.context_calibrators.len()).sum(),
            alarms: self
                .parameter_types
                .values()
                .map(|t| usize::from(t.alarm.is_some()) + t.context_alarms.len())
                .sum(),
            algorithms: self.algorithms.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::*;

    fn enum_type(values: &[(i64, &str)]) -> DataType {
        let values = values
            .iter()
            .map(|(value, label)| EnumValue { value: *value, max: None, label: label.to_string(), description: None })
            .collect();
        DataType::new(TypeKind::Enumerated { values })
    }

    fn model_with(types: &[(&str, DataType)]) -> MissionModel {
        let mut model = MissionModel { name: "s".into(), ..MissionModel::default() };
        for (path, data_type) in types {
            model.parameter_types.insert(QualifiedName::parse(path).unwrap(), data_type.clone());
        }
        model
    }

    #[test]
    fn digest_ignores_source_order_but_not_content() {
        let on = enum_type(&[(0, "OFF"), (1, "ON")]);
        let on_reordered = enum_type(&[(1, "ON"), (0, "OFF")]);
        let a = model_with(&[("/s/a", on.clone()), ("/s/b", on.clone())]);
        let b = model_with(&[("/s/b", on_reordered), ("/s/a", on)]);
        assert_eq!(a.digest().unwrap(), b.digest().unwrap());
        let c = model_with(&[("/s/a", enum_type(&[(0, "OFF"), (2, "ON")]))]);
        assert_ne!(a.digest().unwrap(), c.digest().unwrap());
    }

    #[test]
    fn canonical_json_round_trips() {
        let model = model_with(&[("/s/a", enum_type(&[(1, "ON"), (0, "OFF")]))]);
        let bytes = model.canonical_json().unwrap();
        let back = MissionModel::from_canonical_json(&bytes).unwrap();
        assert_eq!(back.canonical_json().unwrap(), bytes);
        assert_eq!(back.digest().unwrap(), model.digest().unwrap());
    }
}
