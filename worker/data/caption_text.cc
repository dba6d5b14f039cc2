#include "worker/data/caption_text.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <stdexcept>

namespace popsweep::data {

std::string normalise_caption(const std::string& text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU has no NFC data: ") + u_errorName(status));
  const icu::UnicodeString decoded = icu::UnicodeString::fromUTF8(text);
  icu::UnicodeString normalised = nfc->normalize(decoded, status);
  if (U_FAILURE(status))
    throw std::runtime_error(std::string("NFC normalisation failed: ") + u_errorName(status));
  std::string result;
  normalised.toUTF8String(result);
  return result;
}

}  // namespace popsweep::data
