#include "worker/synth/media_painter.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "worker/synth/synth_random.h"

namespace popsweep::synth {
namespace {

constexpr double kPi = 3.141592653589793;
// derive_seed streams: the shapes and the pixel textures of one scene.
constexpr std::uint64_t kShapeStream = 1;
constexpr std::uint64_t kTextureStream = 2;
constexpr std::uint64_t kGrainStream = 3;

cv::Scalar jitter_colour(const cv::Scalar& colour, double amount, SynthRandom& random) {
  cv::Scalar jittered;
  for (int c = 0; c < 3; ++c) jittered[c] = std::clamp(colour[c] + random.uniform(-amount, amount), 0.0, 255.0);
  return jittered;
}

// A gradient along a random direction, modulated by a smooth random field
// (upsampled coarse noise) so that no two backgrounds look alike.
cv::Mat paint_background(const VisualFamily& family, cv::Size size, SynthRandom& random, cv::RNG& texture) {
  const cv::Scalar from = jitter_colour(family.background_from, 25, random);
  const cv::Scalar to = jitter_colour(family.background_to, 25, random);
  const double direction = random.uniform(0, 2 * kPi);
  const double dx = std::cos(direction), dy = std::sin(direction);
  const double half_extent = 0.5 * (std::abs(dx) * size.width + std::abs(dy) * size.height);
  cv::Mat background(size, CV_32FC3);
  for (int y = 0; y < size.height; ++y) {
    auto* row = background.ptr<cv::Vec3f>(y);
    for (int x = 0; x < size.width; ++x) {
      const double along = (dx * (x - size.width / 2.0) + dy * (y - size.height / 2.0)) / (2 * half_extent) + 0.5;
      for (int c = 0; c < 3; ++c) row[x][c] = static_cast<float>(from[c] + (to[c] - from[c]) * along);
    }
  }
  const int coarse_cells = random.integer(3, 8);
  cv::Mat coarse(coarse_cells, coarse_cells, CV_32FC3);
  texture.fill(coarse, cv::RNG::NORMAL, 0, random.uniform(8, 22));
  cv::Mat field;
  cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
  background += field;
  cv::Mat grain(size, CV_32FC3);
  texture.fill(grain, cv::RNG::NORMAL, 0, random.uniform(2, 6));
  background += grain;
  cv::Mat result;
  background.convertTo(result, CV_8UC3);
  return result;
}

// Sizes are fractions of the shorter side, per shape kind.
std::pair<double, double> size_range(ShapeKind kind) {
  switch (kind) {
    case ShapeKind::Disc: return {0.06, 0.22};
    case ShapeKind::Band: return {0.02, 0.07};
    case ShapeKind::Triangle: return {0.10, 0.28};
    case ShapeKind::CheckPatch: return {0.12, 0.30};
    case ShapeKind::Speckle: return {0.006, 0.02};
    case ShapeKind::Ring: return {0.10, 0.32};
  }
  return {0.1, 0.2};
}

SceneShape random_shape(const VisualFamily& family, cv::Size size, double band_angle, SynthRandom& random) {
  const double side = std::min(size.width, size.height);
  SceneShape shape;
  shape.kind = family.main_shape;
  const auto [smallest, largest] = size_range(shape.kind);
  shape.size = std::max(1.0, side * random.uniform(smallest, largest));
  shape.center = {random.uniform(0, size.width), random.uniform(0, size.height)};
  shape.angle = shape.kind == ShapeKind::Band ? band_angle + random.normal(0, 0.08) : random.uniform(0, 2 * kPi);
  shape.color = jitter_colour(family.inks[random.weighted_index({1, 1, 1})], 20, random);
  shape.second_color = jitter_colour(family.inks[random.weighted_index({1, 1, 1})], 20, random);
  shape.cells = random.integer(3, 6);
  for (double& scale : shape.vertex_scale) scale = random.uniform(0.7, 1.15);
  const double speed = side * random.uniform(0.04, 0.3);
  const double heading = random.uniform(0, 2 * kPi);
  shape.velocity = {speed * std::cos(heading), speed * std::sin(heading)};
  shape.spin = random.uniform(-1.2, 1.2);
  shape.pulse_hertz = random.uniform(0.1, 0.6);
  shape.pulse_phase = random.uniform(0, 2 * kPi);
  return shape;
}

// Motion bounces off the frame edges (a triangle wave), so shapes stay in view.
double bounce(double position, double extent) {
  const double period = 2 * extent;
  double folded = std::fmod(position, period);
  if (folded < 0) folded += period;
  return folded > extent ? period - folded : folded;
}

cv::Point to_pixel(const cv::Point2d& point) {
  return {static_cast<int>(std::lround(point.x)), static_cast<int>(std::lround(point.y))};
}

cv::Point2d rotated(double angle, double x, double y) {
  return {x * std::cos(angle) - y * std::sin(angle), x * std::sin(angle) + y * std::cos(angle)};
}

void draw_check_patch(cv::Mat& image, const SceneShape& shape, const cv::Point2d& centre, double half_side,
                      double angle) {
  const double cell = 2 * half_side / shape.cells;
  for (int row = 0; row < shape.cells; ++row) {
    for (int column = 0; column < shape.cells; ++column) {
      const double left = -half_side + column * cell, top = -half_side + row * cell;
      const cv::Point corners[4] = {to_pixel(centre + rotated(angle, left, top)),
                                    to_pixel(centre + rotated(angle, left + cell, top)),
                                    to_pixel(centre + rotated(angle, left + cell, top + cell)),
                                    to_pixel(centre + rotated(angle, left, top + cell))};
      cv::fillConvexPoly(image, corners, 4, (row + column) % 2 ? shape.color : shape.second_color, cv::LINE_AA);
    }
  }
}

void draw_shape(cv::Mat& image, const SceneShape& shape, double seconds) {
  const cv::Point2d centre{bounce(shape.center.x + shape.velocity.x * seconds, image.cols),
                           bounce(shape.center.y + shape.velocity.y * seconds, image.rows)};
  const double angle = shape.angle + shape.spin * seconds;
  const double size = shape.size * (1 + 0.15 * std::sin(2 * kPi * shape.pulse_hertz * seconds + shape.pulse_phase));
  const int radius = std::max(1, static_cast<int>(std::lround(size)));
  switch (shape.kind) {
    case ShapeKind::Disc:
    case ShapeKind::Speckle:
      cv::circle(image, to_pixel(centre), radius, shape.color, cv::FILLED, cv::LINE_AA);
      break;
    case ShapeKind::Ring:
      cv::circle(image, to_pixel(centre), radius, shape.color, std::max(2, radius / 5), cv::LINE_AA);
      cv::circle(image, to_pixel(centre), std::max(1, radius * 11 / 20), shape.second_color, std::max(1, radius / 8),
                 cv::LINE_AA);
      break;
    case ShapeKind::Band: {
      const double reach = image.cols + image.rows;
      const cv::Point2d along = rotated(shape.angle, reach, 0);  // bands drift but keep their direction
      cv::line(image, to_pixel(centre - along), to_pixel(centre + along), shape.color, std::max(1, 2 * radius),
               cv::LINE_AA);
      break;
    }
    case ShapeKind::Triangle: {
      cv::Point vertices[3];
      for (int k = 0; k < 3; ++k) {
        const double vertex_angle = angle + k * 2 * kPi / 3;
        vertices[k] = to_pixel(centre + rotated(vertex_angle, size * shape.vertex_scale[k], 0));
      }
      cv::fillConvexPoly(image, vertices, 3, shape.color, cv::LINE_AA);
      break;
    }
    case ShapeKind::CheckPatch:
      draw_check_patch(image, shape, centre, size, angle);
      break;
  }
}

}  // namespace

Scene compose_scene(const VisualFamily& family, cv::Size size, std::uint64_t seed) {
  SynthRandom random(derive_seed(seed, kShapeStream, 0));
  cv::RNG texture(derive_seed(seed, kTextureStream, 0));
  Scene scene;
  scene.background = paint_background(family, size, random, texture);
  const int count = random.integer(family.min_shapes, family.max_shapes);
  const double band_angle = random.uniform(0, kPi);
  for (int i = 0; i < count; ++i) scene.shapes.push_back(random_shape(family, size, band_angle, random));
  return scene;
}

cv::Mat render_scene(const Scene& scene, double seconds) {
  cv::Mat frame = scene.background.clone();
  for (const SceneShape& shape : scene.shapes) draw_shape(frame, shape, seconds);
  return frame;
}

cv::Mat paint_image(const VisualFamily& family, cv::Size size, std::uint64_t seed, cv::Point shift,
                    std::uint64_t grain_seed) {
  cv::Mat image = render_scene(compose_scene(family, size, seed), 0);
  if (shift != cv::Point(0, 0)) {
    const cv::Mat move = (cv::Mat_<double>(2, 3) << 1, 0, shift.x, 0, 1, shift.y);
    cv::Mat moved;
    cv::warpAffine(image, moved, move, size, cv::INTER_NEAREST, cv::BORDER_REFLECT_101);
    image = moved;
  }
  cv::Mat grain(size, CV_16SC3);
  cv::RNG grain_random(grain_seed != 0 ? grain_seed : derive_seed(seed, kGrainStream, 0));
  grain_random.fill(grain, cv::RNG::NORMAL, 0, 4);
  cv::Mat noisy;
  cv::add(image, grain, noisy, cv::noArray(), CV_8UC3);
  return noisy;
}

cv::Mat tinted(const cv::Mat& picture, double hue_degrees, double strength) {
  if (hue_degrees < 0 || strength <= 0) return picture;
  // OpenCV's 8-bit hue runs over 0-179.
  const cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(std::fmod(hue_degrees, 360.0) / 2, 255, 255));
  cv::Mat bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const cv::Vec3b colour = bgr.at<cv::Vec3b>(0, 0);
  const cv::Mat cast(picture.size(), picture.type(), cv::Scalar(colour[0], colour[1], colour[2]));
  cv::Mat blended;
  cv::addWeighted(picture, 1 - strength, cast, strength, 0, blended);
  return blended;
}

}  // namespace popsweep::synth
