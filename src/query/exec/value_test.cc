#include "query/exec/value.h"

#include <gtest/gtest.h>

#include <limits>

namespace th::query::exec {
namespace {

using traceql::FieldOp;

TEST(Value, NumbersCompareAcrossIntFloatAndDuration) {
  EXPECT_TRUE(CompareScalars(FieldOp::kEq, Value::Int(1), Value::Float(1.0), nullptr));
  EXPECT_TRUE(CompareScalars(FieldOp::kEq, Value::Int(1), Value::Duration(1), nullptr));
  EXPECT_TRUE(CompareScalars(FieldOp::kLt, Value::Duration(999), Value::Float(1000.5), nullptr));
  EXPECT_TRUE(CompareScalars(FieldOp::kGte, Value::Duration(1000000000),
                             Value::Int(1000000000), nullptr));
  // Large ints compare exactly, not through doubles.
  EXPECT_FALSE(CompareScalars(FieldOp::kEq, Value::Int(std::numeric_limits<int64_t>::max()),
                              Value::Int(std::numeric_limits<int64_t>::max() - 1), nullptr));
}

TEST(Value, StringsCompareLexicographicallyAndNeverWithNumbers) {
  EXPECT_TRUE(CompareScalars(FieldOp::kGte, Value::String("500"), Value::String("400"), nullptr));
  EXPECT_TRUE(CompareScalars(FieldOp::kLt, Value::String("B"), Value::String("a"), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kEq, Value::String("500"), Value::Int(500), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kNeq, Value::String("500"), Value::Int(500), nullptr));
}

TEST(Value, NilNeverComparesTrueNotEvenNotEqual) {
  EXPECT_FALSE(CompareScalars(FieldOp::kEq, Value::Nil(), Value::Nil(), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kNeq, Value::Nil(), Value::Int(1), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kNotRegex, Value::String("a"), Value::Nil(), nullptr));
}

TEST(Value, BoolStatusAndKindOnlySupportEquality) {
  EXPECT_TRUE(CompareScalars(FieldOp::kEq, Value::Bool(true), Value::Bool(true), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kGt, Value::Bool(true), Value::Bool(false), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kEq, Value::Bool(true), Value::Int(1), nullptr));
  EXPECT_TRUE(CompareScalars(FieldOp::kNeq, Value::Status(0), Value::Status(1), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kEq, Value::Status(1), Value::Kind(1), nullptr));
}

TEST(Value, RegexIsFullyAnchored) {
  EXPECT_TRUE(CompareScalars(FieldOp::kRegex, Value::String("bar"), Value::String("bar"), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kRegex, Value::String("foobar"), Value::String("bar"),
                              nullptr));
  EXPECT_TRUE(CompareScalars(FieldOp::kNotRegex, Value::String("foobar"), Value::String("bar"),
                             nullptr));
  // A pattern read at run time that does not compile matches neither way.
  EXPECT_FALSE(CompareScalars(FieldOp::kRegex, Value::String("a"), Value::String("["), nullptr));
  EXPECT_FALSE(CompareScalars(FieldOp::kNotRegex, Value::String("a"), Value::String("["), nullptr));
}

TEST(Value, IntArithmeticStaysIntAndOthersBecomeFloat) {
  Value v = Arithmetic(FieldOp::kDiv, Value::Int(1), Value::Int(10));
  EXPECT_EQ(v.kind, ValueKind::kInt);
  EXPECT_EQ(v.i, 0);
  v = Arithmetic(FieldOp::kDiv, Value::Int(1), Value::Float(10));
  EXPECT_EQ(v.kind, ValueKind::kFloat);
  EXPECT_DOUBLE_EQ(v.f, 0.1);
  v = Arithmetic(FieldOp::kMul, Value::Duration(3000000), Value::Int(3));
  EXPECT_EQ(v.kind, ValueKind::kFloat);
  EXPECT_TRUE(CompareScalars(FieldOp::kEq, v, Value::Duration(9000000), nullptr));
  v = Arithmetic(FieldOp::kPow, Value::Int(2), Value::Int(10));
  EXPECT_EQ(v.kind, ValueKind::kInt);
  EXPECT_EQ(v.i, 1024);
  EXPECT_EQ(Arithmetic(FieldOp::kMod, Value::Int(7), Value::Int(4)).i, 3);
}

TEST(Value, DivisionByZeroAndNonNumbersHaveNoValue) {
  EXPECT_TRUE(Arithmetic(FieldOp::kDiv, Value::Int(1), Value::Int(0)).IsNil());
  EXPECT_TRUE(Arithmetic(FieldOp::kMod, Value::Int(1), Value::Int(0)).IsNil());
  EXPECT_TRUE(Arithmetic(FieldOp::kDiv, Value::Float(1), Value::Float(0)).IsNil());
  EXPECT_TRUE(Arithmetic(FieldOp::kDiv, Value::Int(std::numeric_limits<int64_t>::min()),
                         Value::Int(-1))
                  .IsNil());
  EXPECT_TRUE(Arithmetic(FieldOp::kAdd, Value::String("a"), Value::Int(1)).IsNil());
  EXPECT_TRUE(Negate(Value::String("a")).IsNil());
  // Overflow wraps as Go's int64 does, instead of being undefined.
  EXPECT_EQ(Arithmetic(FieldOp::kAdd, Value::Int(std::numeric_limits<int64_t>::max()),
                       Value::Int(1))
                .i,
            std::numeric_limits<int64_t>::min());
}

TEST(Value, DurationsPrintLikeGo) {
  EXPECT_EQ(GoDurationString(0), "0s");
  EXPECT_EQ(GoDurationString(999), "999ns");
  EXPECT_EQ(GoDurationString(1500), "1.5µs");
  EXPECT_EQ(GoDurationString(1500000), "1.5ms");
  EXPECT_EQ(GoDurationString(1500000000), "1.5s");
  EXPECT_EQ(GoDurationString(60000000000), "1m0s");
  EXPECT_EQ(GoDurationString(3600000000000), "1h0m0s");
  EXPECT_EQ(GoDurationString(3723500000000), "1h2m3.5s");
  EXPECT_EQ(GoDurationString(-2000000), "-2ms");
}

TEST(Value, JsonFollowsTempoStaticAsAnyValue) {
  EXPECT_EQ(ValueJson(Value::Int(3)), "{\"intValue\":\"3\"}");
  EXPECT_EQ(ValueJson(Value::Float(2.5)), "{\"doubleValue\":2.5}");
  EXPECT_EQ(ValueJson(Value::String("a")), "{\"stringValue\":\"a\"}");
  EXPECT_EQ(ValueJson(Value::Bool(true)), "{\"boolValue\":true}");
  EXPECT_EQ(ValueJson(Value::Duration(1500000)), "{\"stringValue\":\"1.5ms\"}");
  EXPECT_EQ(ValueJson(Value::Status(0)), "{\"stringValue\":\"error\"}");
  EXPECT_EQ(ValueJson(Value::Kind(2)), "{\"stringValue\":\"server\"}");
  EXPECT_EQ(ValueJson(Value::Nil()), "{\"stringValue\":\"nil\"}");
}

TEST(Value, OtlpStatusMapsToTraceqlOrdinals) {
  EXPECT_EQ(StatusOrdinal(model::kStatusError), static_cast<int64_t>(traceql::StatusValue::kError));
  EXPECT_EQ(StatusOrdinal(model::kStatusOk), static_cast<int64_t>(traceql::StatusValue::kOk));
  EXPECT_EQ(StatusOrdinal(model::kStatusUnset), static_cast<int64_t>(traceql::StatusValue::kUnset));
  EXPECT_EQ(KindOrdinal(model::kSpanKindServer), static_cast<int64_t>(traceql::KindValue::kServer));
  EXPECT_EQ(KindOrdinal(model::kSpanKindConsumer),
            static_cast<int64_t>(traceql::KindValue::kConsumer));
}

}  // namespace
}  // namespace th::query::exec
