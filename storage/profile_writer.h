// Writes to the data-stage tables. Callers wrap these in one Transaction;
// none of them commits on its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/profile_tables.h"

namespace popsweep::storage {

class Database;

// Inserts the profile, or updates its source directory and format; returns its id.
std::int64_t upsert_profile(Database& db, const ProfileRow& profile);

std::int64_t insert_post(Database& db, std::int64_t profile_id, const PostRow& post);
void update_post(Database& db, const PostRow& post);  // by post.id
void delete_post(Database& db, std::int64_t post_id);  // cascades to its media

std::int64_t insert_media(Database& db, const MediaRow& media);
void update_media(Database& db, const MediaRow& media);  // by media.id
void delete_media(Database& db, std::int64_t media_id);

void replace_followers(Database& db, std::int64_t profile_id, const std::vector<FollowerRow>& samples);

// Labels derive from posts and followers; when those change, every stored
// label configuration is stale and is dropped (under a ProfileScope: that
// profile's labels only).
void drop_all_labels(Database& db);

}  // namespace popsweep::storage
