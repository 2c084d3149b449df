// CIDR ranges: see ip_range.hpp.
#include "net/ip_range.hpp"

#include <array>
#include <charconv>

namespace switchboard::net {

namespace ip = boost::asio::ip;

namespace {

// The first `prefix` bits of `bytes` kept, the rest cleared.
template <std::size_t N>
std::array<unsigned char, N> masked(std::array<unsigned char, N> bytes, unsigned prefix) {
  for (std::size_t i = 0; i < N; ++i) {
    const unsigned bits_before = static_cast<unsigned>(i * 8);
    if (prefix >= bits_before + 8) continue;
    const unsigned keep = prefix > bits_before ? prefix - bits_before : 0;
    bytes[i] &= static_cast<unsigned char>(0xFF00u >> keep);
  }
  return bytes;
}

}  // namespace

ip::address unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

bool IpRange::contains(const ip::address& candidate) const {
  const ip::address address = unmapped(candidate);
  if (address.is_v4() != network.is_v4()) return false;
  if (address.is_v4())
    return masked(address.to_v4().to_bytes(), prefix) == network.to_v4().to_bytes();
  return masked(address.to_v6().to_bytes(), prefix) == network.to_v6().to_bytes();
}

std::optional<IpRange> parse_ip_range(std::string_view text, std::string* error) {
  const auto fail = [&](const std::string& why) -> std::optional<IpRange> {
    if (error) *error = "'" + std::string(text) + "' is not an address range (CIDR): " + why;
    return std::nullopt;
  };
  const auto slash = text.find('/');
  boost::system::error_code ec;
  ip::address address = ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return fail("bad address");
  // ::ffff:a.b.c.d/P is the IPv4 range a.b.c.d/(P - 96).
  const bool mapped = address.is_v6() && address.to_v6().is_v4_mapped();
  address = unmapped(address);
  const unsigned offset = mapped ? 96 : 0;
  const unsigned width = address.is_v4() ? 32 : 128;
  unsigned prefix = width + offset;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, parse_error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || parse_error != std::errc() || end != digits.data() + digits.size() ||
        prefix < offset || prefix > width + offset)
      return fail("the prefix length must be a number from " + std::to_string(offset) + " to " +
                  std::to_string(width + offset));
  }
  prefix -= offset;
  IpRange range;
  range.prefix = prefix;
  if (address.is_v4())
    range.network = ip::address_v4(masked(address.to_v4().to_bytes(), prefix));
  else
    range.network = ip::address_v6(masked(address.to_v6().to_bytes(), prefix));
  return range;
}

}  // namespace switchboard::net
