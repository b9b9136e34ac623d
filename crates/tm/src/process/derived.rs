//! Derived parameters: after a packet is decoded, every algorithm one of its samples triggers
//! runs once over the latest values and appends a sample of its output.

use super::Walk;
use crate::plan::criteria::Latest;
use crate::value::{EngValue, RawValue, Sample};
use model::AlarmLevel;

/// The bit offset of a derived sample: it is in no packet.
pub const DERIVED_BIT_OFFSET: u32 = u32::MAX;

impl Walk<'_, '_> {
    /// Runs the algorithms triggered by the samples from `first` on.
    #[inline]
    pub(super) fn derive(&mut self, first: usize) {
        // Most plans have none: the check stays in the caller.
        if !self.plan.algorithms.is_empty() {
            self.run_algorithms(first);
        }
    }

    fn run_algorithms(&mut self, first: usize) {
        let plan = self.plan;
        let mut triggered: Vec<usize> = self.out[first..]
            .iter()
            .flat_map(|s| plan.triggers.get(s.parameter.0 as usize).into_iter().flatten().copied())
            .collect();
        triggered.sort_unstable();
        triggered.dedup();
        for index in triggered {
            let algorithm = &plan.algorithms[index];
            let view = self.view();
            let lookup = |param: &model::ParamRef| {
                let id = plan.parameter_id(&param.parameter)?;
                let (raw, eng) = view.get(id)?;
                if param.use_calibrated {
                    eng.as_f64()
                } else {
                    raw.as_f64()
                }
            };
            let (eng, level) = match crate::calibrate::evaluate(&algorithm.tokens, f64::NAN, &lookup) {
                Ok(value) => {
                    let level = match &algorithm.output_alarm {
                        Some(model::Alarm::Ranges { ranges, .. }) => crate::check_ranges(ranges, value),
                        _ => AlarmLevel::Normal,
                    };
                    (EngValue::Float(value), level)
                }
                // An input without a value yet (or a bad expression): the output is invalid.
                Err(_) => (EngValue::Invalid, AlarmLevel::Normal),
            };
            let raw = match eng {
                EngValue::Float(value) => RawValue::Float(value),
                _ => RawValue::Float(f64::NAN),
            };
            let sample = Sample::new(algorithm.output, 0, DERIVED_BIT_OFFSET, raw, eng, level);
            self.out.push(sample);
            self.latest[algorithm.output.0 as usize] = Some(sample);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{EngValue, Plan, Processor, DERIVED_BIT_OFFSET};
    use model::*;

    fn name(path: &str) -> QualifiedName {
        QualifiedName::parse(path).unwrap()
    }

    /// Packet: two u8 `a` and `b` after a 6-byte header; `avg = (a + b) / 2` with a warning
    /// above 100; `ratio = a / c` reads `c`, which no packet carries.
    fn model() -> MissionModel {
        let mut model = MissionModel { name: "d".into(), ..MissionModel::default() };
        let mut u8_type = DataType::new(TypeKind::Integer { signed: false, size_bits: 8, valid_range: None });
        u8_type.encoding =
            Some(DataEncoding::Integer { size_bits: 8, sign: IntegerSign::Unsigned, byte_order: ByteOrder::BigEndian });
        let mut avg_type = DataType::new(TypeKind::Float { size_bits: 64, valid_range: None });
        avg_type.alarm = Some(Alarm::Ranges {
            min_violations: 1,
            ranges: AlarmRanges { warning: Some(Range::inclusive(None, Some(100.0))), ..AlarmRanges::default() },
            delta: None,
        });
        model.parameter_types.insert(name("/d/u8"), u8_type);
        model.parameter_types.insert(name("/d/avg"), avg_type.clone());
        for (param, type_ref, source) in [
            ("a", "/d/u8", DataSource::Telemetered),
            ("b", "/d/u8", DataSource::Telemetered),
            ("c", "/d/u8", DataSource::Telemetered),
            ("avg", "/d/avg", DataSource::Derived),
            ("ratio", "/d/avg", DataSource::Derived),
        ] {
            let qualified = name(&format!("/d/{param}"));
            model.parameters.insert(
                qualified.clone(),
                Parameter {
                    name: qualified,
                    type_ref: name(type_ref),
                    description: None,
                    aliases: Vec::new(),
                    data_source: source,
                    read_only: false,
                    validity: None,
                    initial_value: None,
                },
            );
        }
        let mut packet = SequenceContainer::new(name("/d/packet"));
        packet.entries = vec![
            ContainerEntry {
                kind: EntryKind::Parameter(name("/d/a")),
                location: EntryLocation { reference: LocationReference::ContainerStart, offset_bits: 48 },
                repeat: None,
                include_if: None,
            },
            ContainerEntry::next(EntryKind::Parameter(name("/d/b"))),
        ];
        model.containers.insert(packet.name.clone(), packet);
        let input = |p: &str| AlgorithmInput { input_name: None, parameter: ParamRef::raw(name(p)) };
        let token = |p: &str| MathToken::Parameter(ParamRef::raw(name(p)));
        model.algorithms.insert(
            name("/d/average"),
            Algorithm {
                inputs: vec![input("/d/a"), input("/d/b")],
                output: name("/d/avg"),
                expression: vec![
                    token("/d/a"),
                    token("/d/b"),
                    MathToken::Op(MathOp::Add),
                    MathToken::Value(2.0),
                    MathToken::Op(MathOp::Div),
                ],
                description: None,
            },
        );
        model.algorithms.insert(
            name("/d/ratio"),
            Algorithm {
                inputs: vec![input("/d/a")],
                output: name("/d/ratio"),
                expression: vec![token("/d/a"), token("/d/c"), MathToken::Op(MathOp::Div)],
                description: None,
            },
        );
        model
    }

    #[test]
    fn derived_values_follow_their_inputs() {
        let model = model();
        assert_eq!(model.validate(), Vec::new());
        let plan = Plan::compile(&model).unwrap();
        let mut processor = Processor::new(&plan);
        let mut derived = Vec::new();
        for (a, b) in [(10u8, 20u8), (250, 100)] {
            let packet = [0x00, 0x01, 0xC0, 0x00, 0x00, 0x01, a, b];
            let mut samples = Vec::new();
            processor.process(&packet, &mut samples).unwrap();
            for sample in samples.iter().filter(|s| s.bit_offset == DERIVED_BIT_OFFSET) {
                let name = plan.parameter(sample.parameter).unwrap().name.local().to_string();
                derived.push((name, sample.eng(), sample.level));
            }
        }
        assert_eq!(
            derived,
            [
                ("avg".to_string(), EngValue::Float(15.0), AlarmLevel::Normal),
                ("ratio".to_string(), EngValue::Invalid, AlarmLevel::Normal),
                ("avg".to_string(), EngValue::Float(175.0), AlarmLevel::Warning),
                ("ratio".to_string(), EngValue::Invalid, AlarmLevel::Normal),
            ]
        );
    }
}

#[cfg(test)]
mod generation_time_tests {
    use crate::{PacketTime, Plan, Processor};
    use model::*;

    #[test]
    fn the_first_absolute_time_of_a_packet_is_its_generation_time() {
        let name = |p: &str| QualifiedName::parse(p).unwrap();
        let mut model = MissionModel { name: "g".into(), ..MissionModel::default() };
        let mut cuc = DataType::new(TypeKind::AbsoluteTime {
            epoch: Epoch::Tai,
            time: TimeEncoding::Cuc { coarse_octets: 4, fine_octets: 1, p_field: false },
        });
        cuc.encoding = None;
        model.parameter_types.insert(name("/g/cuc"), cuc);
        model.parameters.insert(name("/g/obt"), Parameter::new(name("/g/obt"), name("/g/cuc")));
        let mut packet = SequenceContainer::new(name("/g/packet"));
        packet.entries = vec![ContainerEntry {
            kind: EntryKind::Parameter(name("/g/obt")),
            location: EntryLocation { reference: LocationReference::ContainerStart, offset_bits: 48 },
            repeat: None,
            include_if: None,
        }];
        model.containers.insert(packet.name.clone(), packet);
        let plan = Plan::compile(&model).unwrap();
        // 6-byte header, then CUC 4+1: 0x00010000 s + 0x80/256 s.
        let bytes = [0x00, 0x01, 0xC0, 0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x80];
        let mut samples = Vec::new();
        Processor::new(&plan).process(&bytes, &mut samples).unwrap();
        assert_eq!(plan.generation_time(&samples), Some(PacketTime { epoch: Epoch::Tai, seconds: 65536.5 }));
        assert_eq!(plan.generation_time(&[]), None);
    }
}

#[cfg(test)]
mod validity_tests {
    use crate::{Plan, Processor};
    use model::*;

    #[test]
    fn a_value_whose_validity_condition_fails_is_kept_and_marked_invalid() {
        let name = |p: &str| QualifiedName::parse(p).unwrap();
        let mut model = MissionModel { name: "v".into(), ..MissionModel::default() };
        let mut u8_type = DataType::new(TypeKind::Integer { signed: false, size_bits: 8, valid_range: None });
        u8_type.encoding =
            Some(DataEncoding::Integer { size_bits: 8, sign: IntegerSign::Unsigned, byte_order: ByteOrder::BigEndian });
        model.parameter_types.insert(name("/v/u8"), u8_type);
        model.parameters.insert(name("/v/power"), Parameter::new(name("/v/power"), name("/v/u8")));
        let mut current = Parameter::new(name("/v/current"), name("/v/u8"));
        // The current reading means something only while the unit is powered.
        current.validity = Some(Criteria::Compare(Comparison {
            left: ParamRef::raw(name("/v/power")),
            op: ComparisonOp::Eq,
            right: Operand::Value("1".into()),
        }));
        model.parameters.insert(current.name.clone(), current);
        let mut packet = SequenceContainer::new(name("/v/packet"));
        packet.entries = vec![
            ContainerEntry {
                kind: EntryKind::Parameter(name("/v/current")),
                location: EntryLocation { reference: LocationReference::ContainerStart, offset_bits: 48 },
                repeat: None,
                include_if: None,
            },
            ContainerEntry::next(EntryKind::Parameter(name("/v/power"))),
        ];
        model.containers.insert(packet.name.clone(), packet);
        assert_eq!(model.validate(), Vec::new());
        for plan in [Plan::compile(&model).unwrap(), Plan::compile(&model).unwrap().without_fast_path()] {
            let mut processor = Processor::new(&plan);
            let mut validity = Vec::new();
            // The condition reads `power` from the same packet, though it comes after `current`.
            for power in [1u8, 0] {
                let mut samples = Vec::new();
                processor.process(&[0x00, 0x01, 0xC0, 0x00, 0x00, 0x01, 42, power], &mut samples).unwrap();
                let current = samples.iter().find(|s| plan.parameter(s.parameter).unwrap().name.local() == "current");
                validity.push((current.unwrap().raw(), current.unwrap().valid()));
            }
            assert_eq!(validity, [(crate::RawValue::Unsigned(42), true), (crate::RawValue::Unsigned(42), false)]);
        }
    }
}
