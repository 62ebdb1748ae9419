// Attachments (条例 Art. 8: citizens may send pictures, audio and video): files sent with a case,
// typed from their bytes (never from the name or the client's Content-Type), limited in size per
// kind, stored on disk under their SHA-256 (written whole or not at all: temporary file, fsync,
// rename) before the `attached` event records them, and read back only by those who may see the
// case. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "service/case_service.hpp"

namespace jiesu::service {

// The media type of a file from its first bytes, with the largest size jiesu takes for it:
// JPEG, PNG, GIF, WebP, PDF (10 MB); MP3, AMR, WAV, M4A (20 MB); MP4, MOV (50 MB).
// InvalidArgument for anything else.
struct MediaKind {
  std::string type;
  std::size_t max_bytes = 0;
};
Result<MediaKind> SniffMediaType(std::string_view bytes);
// The largest file of any kind (the HTTP server's body limit for uploads).
inline constexpr std::size_t kMaxAttachmentBytes = 50u << 20;

struct AttachmentFile {
  domain::Attachment meta;
  std::string bytes;
};

class AttachmentService {
 public:
  // `dir` holds the files (created when missing).
  AttachmentService(std::string dir, CaseService& cases);

  // Checks type and size, stores the file and records it on the case. InvalidArgument for an
  // unsupported type or an empty file, TooLarge above the kind's limit, and CaseService::Act's
  // errors (Forbidden outside a handler's unit or for the public, Conflict for a transferred case
  // or a file the case has already).
  Result<CaseView> Attach(const domain::Actor& actor, std::int64_t case_id, std::string name,
                          std::string_view bytes);
  // NotFound unless the case (visible to the actor) holds the file; Forbidden for public keys.
  Result<AttachmentFile> Read(const domain::Actor& actor, std::int64_t case_id,
                              const std::string& hash);

 private:
  std::string PathOf(const std::string& hash) const;

  std::string dir_;
  CaseService& cases_;
};

}  // namespace jiesu::service
