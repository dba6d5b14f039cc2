#include "orchestrator/gang_address.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>

namespace popsweep::orchestrator {
namespace {

bool host_name_resolves(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int status = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (found) ::freeaddrinfo(found);
  return status == 0;
}

std::string first_interface_address() {
  ifaddrs* interfaces = nullptr;
  if (::getifaddrs(&interfaces) != 0) return {};
  std::string address;
  for (const ifaddrs* i = interfaces; i && address.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    char text[INET_ADDRSTRLEN] = {};
    const auto* ipv4 = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
    if (::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof text)) address = text;
  }
  ::freeifaddrs(interfaces);
  return address;
}

}  // namespace

GangAddress choose_gang_address(const std::string& host_name, const char* configured,
                                const std::function<bool(const std::string&)>& resolves,
                                const std::function<std::string()>& interface_address) {
  if (configured && *configured) return {configured, {}};
  if (!host_name.empty() && resolves(host_name)) return {host_name, {}};
  std::string address = interface_address();
  if (address.empty()) address = "127.0.0.1";
  return {address, "the host name '" + host_name + "' does not resolve here"};
}

GangAddress gang_address_of_this_host(const std::string& host_name) {
  return choose_gang_address(host_name, std::getenv("POPSWEEP_GANG_ADDRESS"), host_name_resolves,
                             first_interface_address);
}

}  // namespace popsweep::orchestrator
