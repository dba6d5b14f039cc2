// A still image (JPEG, PNG, WebP or BMP) through the decoder's entry point:
// format sniffing, the truncation check, OpenCV's decoders, EXIF orientation
// and the conversion to RGB.
#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/media/image_decoder.h"

namespace popsweep::fuzz {

void fuzz_image(const std::uint8_t* data, std::size_t size) {
  accept_or_refuse([&] {
    const media::RgbImage image = media::decode_image_bytes(data, size, "fuzz image");
    fuzz_require(image.width > 0 && image.height > 0, "a decoded image has pixels");
    fuzz_require(image.pixels.size() == static_cast<std::size_t>(image.width) * image.height * 3,
                 "an RGB image holds width x height x 3 bytes");
  });
}

}  // namespace popsweep::fuzz
