// Python pickle opcodes (Lib/pickletools.py documents them): the ones the
// restricted unpickler executes, and names for all of them so that a refused
// opcode is named in the error.
#pragma once

#include <cstdint>
#include <string>

namespace popsweep::nets::pickle_opcode {

constexpr std::uint8_t kMark = '(';
constexpr std::uint8_t kStop = '.';
constexpr std::uint8_t kBinInt = 'J';
constexpr std::uint8_t kBinInt1 = 'K';
constexpr std::uint8_t kBinInt2 = 'M';
constexpr std::uint8_t kNone = 'N';
constexpr std::uint8_t kBinPersistentId = 'Q';
constexpr std::uint8_t kReduce = 'R';
constexpr std::uint8_t kBinUnicode = 'X';
constexpr std::uint8_t kBuild = 'b';
constexpr std::uint8_t kGlobal = 'c';
constexpr std::uint8_t kEmptyDict = '}';
constexpr std::uint8_t kBinGet = 'h';
constexpr std::uint8_t kLongBinGet = 'j';
constexpr std::uint8_t kBinPut = 'q';
constexpr std::uint8_t kLongBinPut = 'r';
constexpr std::uint8_t kSetItem = 's';
constexpr std::uint8_t kTuple = 't';
constexpr std::uint8_t kEmptyTuple = ')';
constexpr std::uint8_t kSetItems = 'u';
constexpr std::uint8_t kProto = 0x80;
constexpr std::uint8_t kTuple1 = 0x85;
constexpr std::uint8_t kTuple2 = 0x86;
constexpr std::uint8_t kTuple3 = 0x87;
constexpr std::uint8_t kNewTrue = 0x88;
constexpr std::uint8_t kNewFalse = 0x89;
constexpr std::uint8_t kLong1 = 0x8a;
constexpr std::uint8_t kShortBinUnicode = 0x8c;
constexpr std::uint8_t kStackGlobal = 0x93;
constexpr std::uint8_t kMemoize = 0x94;
constexpr std::uint8_t kFrame = 0x95;

// "GLOBAL (0x63)", "INST (0x69)", "unknown (0xff)".
std::string describe(std::uint8_t opcode);

}  // namespace popsweep::nets::pickle_opcode
