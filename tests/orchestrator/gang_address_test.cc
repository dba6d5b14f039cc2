// Where a worker's gangs meet (issue 20): the host name, unless it does not
// resolve (containers, chroots), then an address of the host's interfaces.
#include "orchestrator/gang_address.h"

#include <gtest/gtest.h>

#include <string>

namespace popsweep::orchestrator {
namespace {

auto resolves_only(const std::string& known) {
  return [known](const std::string& name) { return name == known; };
}
auto interface_gives(const std::string& address) {
  return [address] { return address; };
}

TEST(GangAddress, AHostNameThatResolvesIsTheAddress) {
  const GangAddress a = choose_gang_address("node17", nullptr, resolves_only("node17"), interface_gives("10.1.2.3"));
  EXPECT_EQ(a.address, "node17");
  EXPECT_TRUE(a.why_not_the_host_name.empty());
}

TEST(GangAddress, AHostNameThatDoesNotResolveGivesWayToAnInterfaceAddress) {
  const GangAddress a = choose_gang_address("vm", nullptr, resolves_only("other"), interface_gives("10.1.2.3"));
  EXPECT_EQ(a.address, "10.1.2.3");
  EXPECT_EQ(a.why_not_the_host_name, "the host name 'vm' does not resolve here");
}

TEST(GangAddress, WithoutAnyInterfaceTheLoopbackServesOneNode) {
  EXPECT_EQ(choose_gang_address("vm", nullptr, resolves_only("other"), interface_gives("")).address, "127.0.0.1");
}

TEST(GangAddress, TheConfiguredAddressWinsAndAnEmptyOneIsNotSet) {
  EXPECT_EQ(choose_gang_address("vm", "192.168.7.7", resolves_only("vm"), interface_gives("10.1.2.3")).address,
            "192.168.7.7");
  EXPECT_EQ(choose_gang_address("vm", "", resolves_only("vm"), interface_gives("10.1.2.3")).address, "vm");
}

}  // namespace
}  // namespace popsweep::orchestrator
