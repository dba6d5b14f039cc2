// MobileNetV2 (M13): torchvision's names, TensorFlow SAME padding, and the
// Coral quantised TFLite model imported and run on real photos, from its file
// and as the builtin compiled into the binary.
#include "worker/nets/mobilenet_v2.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/error.h"
#include "common/sha256.h"
#include "tests/support/temp_dir.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/nets/backbone.h"
#include "worker/nets/mobilenet_v2_classifier.h"
#include "worker/nets/mobilenet_v2_weights.h"
#include "worker/nets/safetensors.h"
#include "worker/nets/tensor_conversion.h"
#include "worker/nets/tflite_import.h"

namespace popsweep::nets {
namespace {

std::string coral_file(const std::string& name) {
  return std::string(POPSWEEP_SHARED_DIR) + "/models/coral/" + name;
}

TEST(NetsMobileNetV2, HasTorchvisionStateDictNamesAndParameterCount) {
  MobileNetV2 model;
  std::set<std::string> names;
  for (const NamedTensorRecord& record : state_dict_records(*model)) names.insert(record.name);
  for (const char* name :
       {"features.0.0.weight", "features.0.1.running_var", "features.1.conv.0.0.weight",
        "features.1.conv.1.weight", "features.1.conv.2.bias", "features.2.conv.0.0.weight",
        "features.2.conv.1.0.weight", "features.2.conv.2.weight", "features.2.conv.3.running_mean",
        "features.17.conv.3.weight", "features.18.0.weight", "features.18.1.bias", "classifier.1.weight",
        "classifier.1.bias"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
  std::int64_t parameters = 0;
  for (const torch::Tensor& parameter : model->parameters()) parameters += parameter.numel();
  EXPECT_EQ(parameters, 3504872);  // torchvision's mobilenet_v2(num_classes=1000)
  model->eval();
  const torch::Tensor logits = model->forward(torch::zeros({1, 3, 64, 64}));
  EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{1, 1000}));
}

// TensorFlow SAME for a 3x3 stride-2 conv on an even input pads only at the
// bottom/right, so output (0, 0) sums input rows/columns 0-2; torchvision's
// symmetric padding sums rows/columns 0-1.
TEST(NetsMobileNetV2, TensorFlowSamePaddingPadsOneMoreAtBottomRight) {
  torch::NoGradGuard no_grad;
  const torch::Tensor input = torch::arange(36, torch::kFloat32).reshape({1, 1, 6, 6});
  for (const MobileNetV2Padding padding :
       {MobileNetV2Padding::kTensorFlowSame, MobileNetV2Padding::kSymmetric}) {
    torch::nn::Conv2d conv = make_mobilenet_v2_conv(1, 1, 3, 2, 1, padding);
    conv->weight.fill_(1.0);
    const torch::Tensor output = apply_mobilenet_v2_conv(conv, input, padding);
    ASSERT_EQ(output.sizes(), (std::vector<std::int64_t>{1, 1, 3, 3}));
    const bool same = padding == MobileNetV2Padding::kTensorFlowSame;
    const torch::Tensor window =
        same ? input.index({0, 0, torch::indexing::Slice(0, 3), torch::indexing::Slice(0, 3)})
             : input.index({0, 0, torch::indexing::Slice(0, 2), torch::indexing::Slice(0, 2)});
    EXPECT_FLOAT_EQ(output[0][0][0][0].item<float>(), window.sum().item<float>());
    // The last output reads rows 4-5 and the padding row below (SAME) or rows 3-5 (symmetric).
    const float last = same ? input.index({0, 0, torch::indexing::Slice(4, 6), torch::indexing::Slice(4, 6)})
                                  .sum()
                                  .item<float>()
                            : input.index({0, 0, torch::indexing::Slice(3, 6), torch::indexing::Slice(3, 6)})
                                  .sum()
                                  .item<float>();
    EXPECT_FLOAT_EQ(output[0][0][2][2].item<float>(), last);
  }
}

// One import of the real model shared by the photo tests.
class NetsMobileNetV2Coral : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new testing::TempDir();
    weights_ = new std::string(directory_->file("mobilenet_v2.safetensors"));
    import_tflite_to_safetensors(coral_file("mobilenet_v2_1.0_224_quant.tflite"), *weights_);
    classifier_ = new MobileNetV2Classifier(*weights_);
    labels_ = new std::vector<std::string>(read_class_labels(coral_file("imagenet_labels.txt")));
  }
  static void TearDownTestSuite() {
    delete classifier_;
    delete labels_;
    delete weights_;
    delete directory_;
  }

  static std::vector<ClassScore> top5(const std::string& photo) {
    const media::RgbImage image =
        media::resize_bilinear(media::decode_image_file(coral_file(photo)), 224, 224);
    const std::vector<float> chw =
        media::normalize_to_chw(image, {classifier_->input_mean(), classifier_->input_std()});
    return classifier_->top_classes(chw, *labels_, 5);
  }

  static std::string describe(const std::vector<ClassScore>& scores) {
    std::string text;
    for (const ClassScore& score : scores)
      text += score.label + " (" + std::to_string(score.probability) + "); ";
    return text;
  }

  static void expect_in_top5(const std::string& photo, const std::string& label) {
    const std::vector<ClassScore> scores = top5(photo);
    const bool found =
        std::any_of(scores.begin(), scores.end(), [&](const ClassScore& s) { return s.label == label; });
    EXPECT_TRUE(found) << photo << ": " << describe(scores);
    std::printf("[ top-5 ] %s: %s\n", photo.c_str(), describe(scores).c_str());
  }

  static testing::TempDir* directory_;
  static std::string* weights_;
  static MobileNetV2Classifier* classifier_;
  static std::vector<std::string>* labels_;
};

testing::TempDir* NetsMobileNetV2Coral::directory_ = nullptr;
std::string* NetsMobileNetV2Coral::weights_ = nullptr;
MobileNetV2Classifier* NetsMobileNetV2Coral::classifier_ = nullptr;
std::vector<std::string>* NetsMobileNetV2Coral::labels_ = nullptr;

TEST_F(NetsMobileNetV2Coral, ImportKeepsAll1001ClassesAndTheInputConvention) {
  EXPECT_EQ(classifier_->classes(), 1001);
  EXPECT_EQ(labels_->front(), "background");
  EXPECT_EQ(classifier_->input_size(), 224);
  // scale 1/128, zero point 128: value = (pixel - 128) / 128 = (pixel/255 - 128/255) / (128/255).
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(classifier_->input_mean()[c], 128.0 / 255.0, 1e-6);
    EXPECT_NEAR(classifier_->input_std()[c], 128.0 / 255.0, 1e-6);
  }
}

TEST_F(NetsMobileNetV2Coral, CatPhotoIsACatBreedFirst) {
  const std::set<std::string> cats = {"tabby, tabby cat", "tiger cat", "Persian cat", "Siamese cat, Siamese",
                                      "Egyptian cat"};
  const std::vector<ClassScore> scores = top5("cat.bmp");
  EXPECT_EQ(cats.count(scores.front().label), 1u) << describe(scores);
  std::printf("[ top-5 ] cat.bmp: %s\n", describe(scores).c_str());
}

TEST_F(NetsMobileNetV2Coral, ParrotIsAMacaw) { expect_in_top5("parrot.jpg", "macaw"); }
TEST_F(NetsMobileNetV2Coral, HotDogIsAHotdog) { expect_in_top5("hot_dog.jpg", "hotdog, hot dog, red hot"); }
TEST_F(NetsMobileNetV2Coral, OwlIsAGreatGreyOwl) {
  expect_in_top5("owl.jpg", "great grey owl, great gray owl, Strix nebulosa");
}
TEST_F(NetsMobileNetV2Coral, DragonflyIsADragonfly) {
  expect_in_top5(
      "dragonfly.bmp",
      "dragonfly, darning needle, devil's darning needle, sewing needle, snake feeder, snake doctor, "
      "mosquito hawk, skeeter hawk");
}
TEST_F(NetsMobileNetV2Coral, GraceHopperWearsAMilitaryUniform) {
  expect_in_top5("grace_hopper.bmp", "military uniform");
}

TEST_F(NetsMobileNetV2Coral, LabelCountMustMatchTheClasses) {
  const std::vector<std::string> thousand(labels_->begin() + 1, labels_->end());
  const std::vector<float> chw(3 * 224 * 224, 0.0f);
  EXPECT_THROW(classifier_->top_classes(chw, thousand, 5), ConfigError);
}

TEST_F(NetsMobileNetV2Coral, BackboneReportsTheImportedInputConventionAndRawFeatures) {
  BackboneSpec spec;
  spec.name = "mobilenet_v2";
  spec.weights = *weights_;
  const std::unique_ptr<FrozenBackbone> backbone = load_backbone(spec);
  EXPECT_EQ(backbone->name(), "mobilenet_v2");
  EXPECT_EQ(backbone->feature_dimension(), 1280);
  EXPECT_NEAR(backbone->input_mean()[1], 128.0 / 255.0, 1e-6);
  EXPECT_NEAR(backbone->input_std()[2], 128.0 / 255.0, 1e-6);
  const torch::Tensor images = torch::zeros({2, 3, 224, 224});
  const torch::Tensor features = backbone->embed(images);
  ASSERT_EQ(features.sizes(), (std::vector<std::int64_t>{2, 1280}));
  // Pretrained features are the plain average of ReLU6 outputs: never rescaled to unit RMS.
  EXPECT_GE(features.min().item<float>(), 0.0f);
  EXPECT_LE(features.max().item<float>(), 6.0f);
  const torch::Tensor map = backbone->feature_map(images);
  EXPECT_TRUE(map.requires_grad());
  EXPECT_TRUE(torch::allclose(backbone->pool(map), features, 1e-5, 1e-5));
}

// The builtin (builtin_weights.h) is the shared file compiled in: loaded with
// another working directory, it gives exactly the features of that file
// imported by hand, and its identity is the file's SHA-256.
TEST_F(NetsMobileNetV2Coral, BuiltinFromAnotherFolderGivesTheSharedFileFeatures) {
  BackboneSpec builtin_spec;
  builtin_spec.name = "mobilenet_v2";
  builtin_spec.weights = "builtin:mobilenet_v2";
  std::unique_ptr<FrozenBackbone> builtin;
  {
    const testing::TempDir elsewhere;
    const std::filesystem::path before = std::filesystem::current_path();
    std::filesystem::current_path(elsewhere.path());
    builtin = load_backbone(builtin_spec);
    std::filesystem::current_path(before);
  }
  BackboneSpec file_spec = builtin_spec;
  file_spec.weights = *weights_;
  const std::unique_ptr<FrozenBackbone> file = load_backbone(file_spec);
  EXPECT_EQ(builtin->input_size(), 224);
  EXPECT_EQ(builtin->input_mean(), file->input_mean());
  EXPECT_EQ(builtin->input_std(), file->input_std());

  std::vector<torch::Tensor> photos;
  for (const char* photo : {"cat.bmp", "parrot.jpg", "owl.jpg"}) {
    const media::RgbImage image =
        media::resize_bilinear(media::decode_image_file(coral_file(photo)), 224, 224);
    std::vector<float> chw = media::normalize_to_chw(image, {file->input_mean(), file->input_std()});
    photos.push_back(torch::from_blob(chw.data(), {1, 3, 224, 224}).clone());
  }
  const torch::Tensor images = torch::cat(photos);
  const torch::Tensor from_builtin = builtin->embed(images);
  const torch::Tensor from_file = file->embed(images);
  ASSERT_EQ(from_builtin.sizes(), (std::vector<std::int64_t>{3, 1280}));
  EXPECT_TRUE(torch::equal(from_builtin, from_file)) << (from_builtin - from_file).abs().max();
  // Real features: different photos are far apart, relative to their size.
  const double spread = (from_builtin[0] - from_builtin[1]).norm().item<double>();
  EXPECT_GT(spread, 0.1 * from_builtin[0].norm().item<double>());

  EXPECT_EQ(weights_identity(builtin_spec), sha256_file_hex(coral_file("mobilenet_v2_1.0_224_quant.tflite")));
}

TEST_F(NetsMobileNetV2Coral, BuiltinPutsTheObviousClassInTheTop5) {
  const MobileNetV2Classifier builtin("builtin:mobilenet_v2");
  EXPECT_EQ(builtin.classes(), 1001);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"hot_dog.jpg", "hotdog, hot dog, red hot"},
      {"owl.jpg", "great grey owl, great gray owl, Strix nebulosa"},
      {"grace_hopper.bmp", "military uniform"},
      {"dragonfly.bmp",
       "dragonfly, darning needle, devil's darning needle, sewing needle, snake feeder, snake doctor, "
       "mosquito hawk, skeeter hawk"}};
  for (const auto& [photo, label] : cases) {
    const media::RgbImage image =
        media::resize_bilinear(media::decode_image_file(coral_file(photo)), 224, 224);
    const std::vector<float> chw =
        media::normalize_to_chw(image, {builtin.input_mean(), builtin.input_std()});
    const std::vector<ClassScore> scores = builtin.top_classes(chw, *labels_, 5);
    const bool found =
        std::any_of(scores.begin(), scores.end(), [&](const ClassScore& s) { return s.label == label; });
    EXPECT_TRUE(found) << photo << ": " << describe(scores);
    std::printf("[ top-5 ] builtin, %s: %s\n", photo.c_str(), describe(scores).c_str());
  }
}

TEST(NetsMobileNetV2Backbone, BuiltinForAnotherBackboneIsRefusedNamingBoth) {
  BackboneSpec spec;
  spec.name = "efficientnet_b0";
  spec.weights = "builtin:mobilenet_v2";
  try {
    load_backbone(spec);
    ADD_FAILURE() << "builtin:mobilenet_v2 was loaded into efficientnet_b0";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("builtin:mobilenet_v2"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("efficientnet_b0"), std::string::npos) << error.what();
  }
}

TEST(NetsMobileNetV2Backbone, RandomWeightsGiveUnitRmsFeaturesAndImageNetNormalisation) {
  BackboneSpec spec;
  spec.name = "mobilenet_v2";
  spec.weights = "random";
  spec.random_seed = 5;
  const std::unique_ptr<FrozenBackbone> backbone = load_backbone(spec);
  EXPECT_FLOAT_EQ(backbone->input_mean()[0], 0.485f);
  const torch::Tensor images = torch::randn({2, 3, 64, 64}, at::detail::createCPUGenerator(3));
  const torch::Tensor features = backbone->embed(images);
  const torch::Tensor rms = features.pow(2).mean(1).sqrt();
  EXPECT_TRUE(torch::allclose(rms, torch::ones_like(rms), 1e-5, 1e-5)) << rms;
  EXPECT_TRUE(torch::equal(features, load_backbone(spec)->embed(images)));
}

// Hostile input (issue 9): the file's classifier sets the size of the module
// built for it, so an absurd class count is refused before anything is
// allocated, naming the tensor.
TEST(NetsMobileNetV2Weights, AbsurdClassCountIsRefusedBeforeTheModelIsBuilt) {
  const testing::TempDir dir;
  for (const std::int64_t classes : {std::int64_t{0}, kMaxClassifierClasses + 1}) {
    TensorRecord record;
    record.shape = {classes, 1};
    record.strides = contiguous_strides(record.shape);
    record.storage = std::make_shared<const std::vector<std::uint8_t>>(static_cast<std::size_t>(classes) * 4);
    const std::string path = dir.file("classes-" + std::to_string(classes) + ".safetensors");
    write_safetensors(path, {{"classifier.1.weight", record}});
    try {
      load_mobilenet_v2(path, 0, torch::kCPU);
      ADD_FAILURE() << classes << " classes were accepted";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("classifier.1.weight"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(std::to_string(classes) + " classes"), std::string::npos)
          << error.what();
    }
  }
}

}  // namespace
}  // namespace popsweep::nets
