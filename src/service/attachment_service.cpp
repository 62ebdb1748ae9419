#include "service/attachment_service.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/utf8.hpp"

namespace jiesu::service {

namespace {

constexpr std::size_t kMB = 1u << 20;

bool StartsWith(std::string_view s, std::string_view prefix, std::size_t at = 0) {
  return s.size() >= at + prefix.size() && s.substr(at, prefix.size()) == prefix;
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[2 * sizeof digest + 1];
  return sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
}

// The name to show: its last path component, without control characters, at most 100 characters.
std::string CleanName(const std::string& name) {
  std::string base = name.substr(name.find_last_of("/\\") == std::string::npos
                                     ? 0
                                     : name.find_last_of("/\\") + 1);
  std::string out;
  for (char ch : base) {
    if (static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f && ch != '"') out += ch;
  }
  if (!IsValidUtf8(out) || TrimSpace(out).empty()) return "file";
  return std::string(Utf8Prefix(out, 100));
}

// Writes the file whole or not at all: a temporary file in the same directory, fsync, rename.
Status WriteDurably(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid()) + "_" +
                          std::to_string(reinterpret_cast<std::uintptr_t>(&bytes));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return Status::Internal("cannot write the attachment store");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::Internal("cannot write the attachment store");
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::Internal("cannot write the attachment store");
  }
  const int dir = ::open(std::filesystem::path(path).parent_path().c_str(), O_RDONLY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::Ok();
}

}  // namespace

Result<MediaKind> SniffMediaType(std::string_view b) {
  if (StartsWith(b, "\xFF\xD8\xFF")) return MediaKind{"image/jpeg", 10 * kMB};
  if (StartsWith(b, "\x89PNG\r\n\x1A\n")) return MediaKind{"image/png", 10 * kMB};
  if (StartsWith(b, "GIF87a") || StartsWith(b, "GIF89a")) return MediaKind{"image/gif", 10 * kMB};
  if (StartsWith(b, "RIFF") && StartsWith(b, "WEBP", 8)) return MediaKind{"image/webp", 10 * kMB};
  if (StartsWith(b, "%PDF-")) return MediaKind{"application/pdf", 10 * kMB};
  if (StartsWith(b, "#!AMR\n")) return MediaKind{"audio/amr", 20 * kMB};
  if (StartsWith(b, "ID3") ||
      (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0xFF &&
       (static_cast<unsigned char>(b[1]) & 0xE6) == 0xE2)) {  // MPEG audio layer III frame sync
    return MediaKind{"audio/mpeg", 20 * kMB};
  }
  if (StartsWith(b, "RIFF") && StartsWith(b, "WAVE", 8)) return MediaKind{"audio/wav", 20 * kMB};
  if (StartsWith(b, "ftyp", 4)) {
    if (StartsWith(b, "M4A ", 8)) return MediaKind{"audio/mp4", 20 * kMB};
    if (StartsWith(b, "qt  ", 8)) return MediaKind{"video/quicktime", 50 * kMB};
    return MediaKind{"video/mp4", 50 * kMB};
  }
  return Status::Invalid("unsupported file type: send a picture (JPEG, PNG, GIF, WebP), a PDF, "
                         "audio (MP3, AMR, WAV, M4A) or video (MP4, MOV)");
}

AttachmentService::AttachmentService(std::string dir, CaseService& cases)
    : dir_(std::move(dir)), cases_(cases) {}

std::string AttachmentService::PathOf(const std::string& hash) const {
  return dir_ + "/" + hash.substr(0, 2) + "/" + hash;
}

Result<CaseView> AttachmentService::Attach(const domain::Actor& actor, std::int64_t case_id,
                                           std::string name, std::string_view bytes) {
  if (bytes.empty()) return Status::Invalid("the file is empty");
  JIESU_ASSIGN_OR_RETURN(MediaKind kind, SniffMediaType(bytes));
  if (bytes.size() > kind.max_bytes) {
    return Status::TooLarge(kind.type + " files may have at most " +
                            std::to_string(kind.max_bytes / kMB) + " MB");
  }
  // Refuse early what Act would refuse, before a file is written: the role, and the case's scope.
  if (!domain::RoleMayAct(actor.role, domain::Action::kAttach)) {
    return Status::Forbidden(std::string("role ") + domain::RoleName(actor.role) +
                             " may not attach files");
  }
  JIESU_RETURN_IF_ERROR(cases_.Get(actor, case_id).status());
  domain::Attachment a;
  a.hash = Sha256Hex(bytes);
  a.media_type = kind.type;
  a.size = static_cast<std::int64_t>(bytes.size());
  a.name = CleanName(name);
  const std::string path = PathOf(a.hash);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec) return Status::Internal("cannot create the attachment store " + dir_);
    JIESU_RETURN_IF_ERROR(WriteDurably(path, bytes));
  }
  domain::Command cmd;
  cmd.action = domain::Action::kAttach;
  cmd.attachment = a;
  return cases_.Act(actor, case_id, cmd);
}

Result<AttachmentFile> AttachmentService::Read(const domain::Actor& actor, std::int64_t case_id,
                                               const std::string& hash) {
  // Pictures and recordings show people, homes and number plates: not for public keys.
  if (actor.role == domain::Role::kPublic) {
    return Status::Forbidden("attachments are not public");
  }
  JIESU_ASSIGN_OR_RETURN(CaseView view, cases_.Get(actor, case_id));
  for (const auto& a : view.c.attachments) {
    if (a.hash != hash) continue;
    std::ifstream in(PathOf(hash), std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in) return Status::Internal("attachment " + hash + " is missing from the store");
    return AttachmentFile{a, buf.str()};
  }
  return Status::NotFound("case " + std::to_string(case_id) + " has no attachment " + hash);
}

}  // namespace jiesu::service
