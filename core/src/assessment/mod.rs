//! Quizzes taken for the record: attempts started, answered, graded and reviewed in the database. Parsing and
//! grading a quiz live in `daotao_content::quiz`; this module adds the rules that need the database (who may
//! start, how often, by when), and the item analysis of the attempts (`statistics`).

pub mod attempts;
pub mod statistics;
