#include "common/csv.h"

#include <gtest/gtest.h>

#include <sstream>

#include "common/error.h"

namespace popsweep {
namespace {

TEST(Csv, ReadsQuotedFieldsAndKeepsLineNumbers) {
  const CsvTable table = CsvTable::parse(
      "a,b\n1,\"x, y\"\n\n2,\"multi\nline\"\n3,\"say \"\"hi\"\"\"\n", "t.csv", {"a", "b"});
  ASSERT_EQ(table.records().size(), 3u);
  EXPECT_EQ(table.field(table.records()[0], "b"), "x, y");
  EXPECT_EQ(table.records()[1].line, 4);
  EXPECT_EQ(table.field(table.records()[1], "b"), "multi\nline");
  EXPECT_EQ(table.records()[2].line, 6);
  EXPECT_EQ(table.field(table.records()[2], "b"), "say \"hi\"");
}

TEST(Csv, ErrorsNameFileLineAndField) {
  const CsvTable table = CsvTable::parse("n\n5\n-3\nabc\n", "counts.csv", {"n"});
  EXPECT_EQ(table.integer(table.records()[0], "n"), 5);
  try {
    table.integer(table.records()[1], "n");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.line(), 3);
    EXPECT_EQ(error.field(), "n");
    EXPECT_NE(std::string(error.what()).find("counts.csv:3"), std::string::npos);
  }
  EXPECT_THROW(table.integer(table.records()[2], "n"), InputError);
  EXPECT_THROW(CsvTable::parse("a,b\n1\n", "x.csv", {}), InputError);
  EXPECT_THROW(CsvTable::parse("a\n1\n", "x.csv", {"b"}), InputError);
  EXPECT_THROW(CsvTable::parse("a\n\"open\n", "x.csv", {}), InputError);
  EXPECT_THROW(CsvTable::parse("", "x.csv", {}), InputError);
}

TEST(Csv, WriterQuotesOnlyWhenNeeded) {
  std::ostringstream out;
  write_csv_row(out, {"plain", "a,b", "q\"q"});
  EXPECT_EQ(out.str(), "plain,\"a,b\",\"q\"\"q\"\n");
}

}  // namespace
}  // namespace popsweep
