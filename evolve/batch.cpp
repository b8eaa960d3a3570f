// batch.cpp - the C API of evolve/batch.h over the FlatBuffers code flatc generates from
// schemas/batch.fbs: building files (batch_writer_*) and verifying and viewing them
// (batch_reader_*). File-system work lives in batch_io.c; this file only speaks FlatBuffers.
// No C++ exception leaves this file: each entry point turns one into an errmsg.
#include "evolve/batch.h"
#include "base/afile.h"
#include "evolve/batch_io.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "schemas/batch_generated.h"

namespace fb = flatbuffers;
namespace vb = vkeve::batch;

static_assert(sizeof(batch_grid) == sizeof(vb::GridTHW), "batch_grid mirrors GridTHW");
static_assert(FLATBUFFERS_LITTLEENDIAN, "batch files are read in place: little-endian hosts");

#ifndef VKEVE_VERSION_STRING
#define VKEVE_VERSION_STRING "unknown"
#endif

// Room kept below the 2 GiB FlatBuffers limit for the header and the offset tables a file
// adds when it is finished.
static const size_t kFinishSlack = (size_t)16 << 20;

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

// ---------------------------------------------------------------- writing

struct model_copy {
    std::string file_name;
    uint64_t file_size = 0;
    uint8_t sha256[BATCH_SHA256_SIZE] = {};
};

struct batch_writer {
    std::string dir;
    std::string run_id;
    uint32_t round = 0;
    int64_t created_unix_ms = 0;
    uint64_t seed = 0;
    model_copy challenger, solver;
    std::vector<std::pair<std::string, std::string>> settings;
    batch_writer_opts opts{};
    uint32_t next_batch = 0;

    fb::FlatBufferBuilder fbb;
    std::vector<fb::Offset<vb::Image>> images;
    std::unordered_map<std::string, uint32_t> image_by_hash;
    std::vector<fb::Offset<vb::Task>> tasks;
    std::vector<uint32_t> task_n_images;
    std::vector<fb::Offset<vb::ChallengerRollout>> challengers;
    std::vector<fb::Offset<vb::SolverRollout>> solvers;

    std::string last_path;
    bool failed = false;
    errmsg failure{};
};

batch_writer_opts batch_writer_defaults(void)
{
    batch_writer_opts o;
    o.max_records = 256;
    o.max_bytes = (size_t)256 << 20;
    return o;
}

static void copy_model(model_copy &dst, const batch_model &src)
{
    dst.file_name = or_empty(src.file_name);
    dst.file_size = src.file_size;
    memcpy(dst.sha256, src.sha256, BATCH_SHA256_SIZE);
}

static batch_writer *writer_new(const char *dir, const batch_header *h,
                                const batch_writer_opts *opts)
{
    batch_writer *w = new batch_writer();
    w->dir = dir;
    w->run_id = or_empty(h->run_id);
    w->round = h->round;
    w->created_unix_ms = h->created_unix_ms;
    w->seed = h->seed;
    copy_model(w->challenger, h->challenger);
    copy_model(w->solver, h->solver);
    for (size_t i = 0; i < h->n_settings; i++)
        w->settings.emplace_back(or_empty(h->settings[i].key), or_empty(h->settings[i].value));
    w->opts = opts ? *opts : batch_writer_defaults();
    return w;
}

batch_writer *batch_writer_open(const char *dir, const batch_header *h,
                                const batch_writer_opts *opts, errmsg *e)
{
    if (!dir || !h) {
        err_set(e, ERR_ENV, "batch_writer_open: no folder or header given");
        return NULL;
    }
    if (opts && (opts->max_records < 1 || opts->max_bytes > BATCH_MAX_FILE_BYTES)) {
        err_set(e, ERR_ENV, "%s: max_records must be >= 1 and max_bytes <= %zu", dir,
                BATCH_MAX_FILE_BYTES);
        return NULL;
    }
    if (h->n_settings && !h->settings) {
        err_set(e, ERR_ENV, "%s: header has %zu settings but no array", dir, h->n_settings);
        return NULL;
    }
    uint32_t next = 0;
    if (afile_mkdirs(dir, e) || batch_io_next_index(dir, h->round, &next, e))
        return NULL;
    try {
        batch_writer *w = writer_new(dir, h, opts);
        w->next_batch = next;
        return w;
    } catch (const std::bad_alloc &) {
        err_set(e, ERR_FAIL, "%s: out of memory opening a batch writer", dir);
        return NULL;
    }
}

// Marks w failed with the message in e, so later calls refuse to add to a broken file.
static int writer_fail(batch_writer *w, errmsg *e)
{
    w->failed = true;
    if (e)
        w->failure = *e;
    else
        err_set(&w->failure, ERR_FAIL, "batch writer %s: failed", w->dir.c_str());
    return ERR_FAIL;
}

// Refuses a call on a failed writer, or one whose payload of `bytes` would push the file
// past what FlatBuffers can address.
static int writer_check(batch_writer *w, size_t bytes, const char *what, errmsg *e)
{
    if (w->failed) {
        if (e)
            *e = w->failure;
        return err_prefix(e, "batch writer %s: refused after an earlier failure: ", w->dir.c_str());
    }
    size_t limit = BATCH_MAX_FILE_BYTES - kFinishSlack;
    if (bytes > limit || w->fbb.GetSize() > limit - bytes)
        return err_set(e, ERR_FAIL,
                       "batch writer %s: %s of %zu bytes would make the file exceed %zu bytes; "
                       "end units more often",
                       w->dir.c_str(), what, bytes, limit);
    return 0;
}

static size_t str_bytes(const char *s)
{
    return (s ? strlen(s) : 0) + 8;
}

static int check_index(batch_writer *w, const char *what, int64_t index, size_t count,
                       bool minus_one_ok, errmsg *e)
{
    if ((minus_one_ok && index == -1) || (index >= 0 && (uint64_t)index < count))
        return 0;
    return err_set(e, ERR_FAIL, "batch writer %s: %s %lld out of range (the file holds %zu)",
                   w->dir.c_str(), what, (long long)index, count);
}

static int check_array(batch_writer *w, const char *what, const void *p, size_t n, errmsg *e)
{
    if (n == 0 || p)
        return 0;
    return err_set(e, ERR_FAIL, "batch writer %s: %s has %zu elements but no array", w->dir.c_str(),
                   what, n);
}

static fb::Offset<fb::Vector<int32_t>> ints(fb::FlatBufferBuilder &b, const int32_t *p, size_t n)
{
    return b.CreateVector(p, n);
}

static fb::Offset<fb::Vector<const vb::GridTHW *>> grids(fb::FlatBufferBuilder &b,
                                                         const batch_grid *p, size_t n)
{
    std::vector<vb::GridTHW> v;
    v.reserve(n);
    for (size_t i = 0; i < n; i++)
        v.emplace_back(p[i].t, p[i].h, p[i].w);
    return b.CreateVectorOfStructs(v);
}

static int add_image(batch_writer *w, const batch_image *im, uint32_t *index, errmsg *e)
{
    if (!im || (im->png_size && !im->png))
        return err_set(e, ERR_FAIL, "batch writer %s: image without PNG bytes", w->dir.c_str());
    if (int rc = writer_check(w, im->png_size + str_bytes(im->name) + 128, "an image", e))
        return rc;
    uint8_t hash[BATCH_SHA256_SIZE];
    batch_sha256(im->png, im->png_size, hash);
    std::string key((const char *)hash, sizeof hash);
    auto found = w->image_by_hash.find(key);
    if (found != w->image_by_hash.end()) {
        if (index)
            *index = found->second;
        return 0;
    }
    fb::FlatBufferBuilder &b = w->fbb;
    auto png = b.CreateVector(im->png, im->png_size);
    auto sha = b.CreateVector(hash, sizeof hash);
    auto name = b.CreateString(or_empty(im->name));
    w->images.push_back(vb::CreateImage(b, png, im->width, im->height, sha, name));
    uint32_t i = (uint32_t)(w->images.size() - 1);
    w->image_by_hash.emplace(key, i);
    if (index)
        *index = i;
    return 0;
}

static int check_task(batch_writer *w, const batch_task *t, errmsg *e)
{
    if (int rc = check_array(w, "task images", t->images, t->n_images, e))
        return rc;
    for (size_t i = 0; i < t->n_images; i++)
        if (int rc = check_index(w, "task image", t->images[i], w->images.size(), false, e))
            return rc;
    if (int rc = check_index(w, "task source image", t->source_image, w->images.size(), true, e))
        return rc;
    return check_index(w, "task challenger rollout", t->challenger_rollout, w->challengers.size(),
                       true, e);
}

static int add_task(batch_writer *w, const batch_task *t, uint32_t *index, errmsg *e)
{
    if (int rc = check_task(w, t, e))
        return rc;
    size_t bytes = str_bytes(t->question) + str_bytes(t->answer) + str_bytes(t->program) +
                   4 * t->n_images + 128;
    for (int i = 0; i < BATCH_N_ARGS; i++)
        bytes += str_bytes(t->args[i]);
    if (int rc = writer_check(w, bytes, "a task", e))
        return rc;
    fb::FlatBufferBuilder &b = w->fbb;
    auto question = b.CreateString(or_empty(t->question));
    auto images = b.CreateVector(t->images, t->n_images);
    auto answer = b.CreateString(or_empty(t->answer));
    auto program = b.CreateString(or_empty(t->program));
    std::vector<fb::Offset<fb::String>> args;
    for (int i = 0; i < BATCH_N_ARGS; i++)
        args.push_back(b.CreateString(or_empty(t->args[i])));
    auto argv = b.CreateVector(args);
    w->tasks.push_back(vb::CreateTask(b, t->question_type, question, images, answer, program, argv,
                                      t->source_image, t->challenger_rollout, t->pass_rate,
                                      t->n_samples, t->for_solver != 0));
    w->task_n_images.push_back((uint32_t)t->n_images);
    if (index)
        *index = (uint32_t)(w->tasks.size() - 1);
    return 0;
}

static int check_challenger(batch_writer *w, const batch_challenger *c, errmsg *e)
{
    if (int rc = check_array(w, "challenger prompt ids", c->prompt_ids, c->n_prompt_ids, e))
        return rc;
    if (int rc =
            check_array(w, "challenger prompt images", c->prompt_images, c->n_prompt_images, e))
        return rc;
    if (int rc =
            check_array(w, "challenger completion ids", c->completion_ids, c->n_completion_ids, e))
        return rc;
    for (size_t i = 0; i < c->n_prompt_images; i++)
        if (int rc = check_index(w, "challenger prompt image", c->prompt_images[i],
                                 w->images.size(), false, e))
            return rc;
    return 0;
}

static int add_challenger(batch_writer *w, const batch_challenger *c, uint32_t *index, errmsg *e)
{
    if (int rc = check_challenger(w, c, e))
        return rc;
    size_t bytes = 4 * c->n_prompt_ids + 16 * c->n_prompt_images + 8 * c->n_completion_ids +
                   str_bytes(c->completion) + str_bytes(c->failure) + 256;
    if (int rc = writer_check(w, bytes, "a challenger rollout", e))
        return rc;
    fb::FlatBufferBuilder &b = w->fbb;
    auto prompt = ints(b, c->prompt_ids, c->n_prompt_ids);
    auto images = b.CreateVector(c->prompt_images, c->n_prompt_images);
    auto grid = c->grids ? grids(b, c->grids, c->n_prompt_images) : grids(b, NULL, 0);
    auto completion_ids = ints(b, c->completion_ids, c->n_completion_ids);
    auto logprobs = b.CreateVector(c->logprobs, c->logprobs ? c->n_completion_ids : 0);
    auto completion = b.CreateString(or_empty(c->completion));
    auto failure = b.CreateString(or_empty(c->failure));
    w->challengers.push_back(vb::CreateChallengerRollout(
        b, c->group_id, prompt, images, grid, completion_ids, logprobs, completion, c->valid != 0,
        failure, c->reward_format, c->reward_validity, c->reward_difficulty, c->reward_diversity,
        c->reward, c->advantage));
    if (index)
        *index = (uint32_t)(w->challengers.size() - 1);
    return 0;
}

static int check_solver(batch_writer *w, const batch_solver *s, errmsg *e)
{
    if (int rc = check_array(w, "solver prompt ids", s->prompt_ids, s->n_prompt_ids, e))
        return rc;
    if (int rc = check_array(w, "solver grids", s->grids, s->n_grids, e))
        return rc;
    if (int rc = check_array(w, "solver completion ids", s->completion_ids, s->n_completion_ids, e))
        return rc;
    if (int rc = check_index(w, "solver task", s->task, w->tasks.size(), false, e))
        return rc;
    if (s->n_grids != 0 && s->n_grids != w->task_n_images[s->task])
        return err_set(e, ERR_FAIL,
                       "batch writer %s: solver rollout has %zu grids for task %u "
                       "with %u images",
                       w->dir.c_str(), s->n_grids, (unsigned)s->task,
                       (unsigned)w->task_n_images[s->task]);
    return 0;
}

static int add_solver(batch_writer *w, const batch_solver *s, uint32_t *index, errmsg *e)
{
    if (int rc = check_solver(w, s, e))
        return rc;
    size_t bytes = 4 * s->n_prompt_ids + 12 * s->n_grids + 8 * s->n_completion_ids +
                   str_bytes(s->completion) + str_bytes(s->answer) + 256;
    if (int rc = writer_check(w, bytes, "a solver rollout", e))
        return rc;
    fb::FlatBufferBuilder &b = w->fbb;
    auto prompt = ints(b, s->prompt_ids, s->n_prompt_ids);
    auto grid = grids(b, s->grids, s->n_grids);
    auto completion_ids = ints(b, s->completion_ids, s->n_completion_ids);
    auto logprobs = b.CreateVector(s->logprobs, s->logprobs ? s->n_completion_ids : 0);
    auto completion = b.CreateString(or_empty(s->completion));
    auto answer = b.CreateString(or_empty(s->answer));
    w->solvers.push_back(vb::CreateSolverRollout(
        b, s->task, s->group_id, prompt, grid, completion_ids, logprobs, completion, answer,
        s->score, s->correct != 0, s->reward, s->advantage));
    if (index)
        *index = (uint32_t)(w->solvers.size() - 1);
    return 0;
}

static fb::Offset<vb::Model> build_model(fb::FlatBufferBuilder &b, const model_copy &m)
{
    auto name = b.CreateString(m.file_name);
    auto sha = b.CreateVector(m.sha256, BATCH_SHA256_SIZE);
    return vb::CreateModel(b, name, m.file_size, sha);
}

static fb::Offset<vb::Header> build_header(batch_writer *w)
{
    fb::FlatBufferBuilder &b = w->fbb;
    auto run_id = b.CreateString(w->run_id);
    auto challenger = build_model(b, w->challenger);
    auto solver = build_model(b, w->solver);
    std::vector<fb::Offset<vb::Setting>> settings;
    for (const auto &kv : w->settings)
        settings.push_back(
            vb::CreateSetting(b, b.CreateString(kv.first), b.CreateString(kv.second)));
    auto settings_vec = b.CreateVector(settings);
    auto creator = b.CreateString("vkeve " VKEVE_VERSION_STRING);
    return vb::CreateHeader(b, BATCH_SCHEMA_VERSION, run_id, w->round, w->next_batch,
                            w->created_unix_ms, w->seed, challenger, solver, settings_vec, creator);
}

static size_t record_count(const batch_writer *w)
{
    return w->tasks.size() + w->challengers.size() + w->solvers.size();
}

static void writer_reset(batch_writer *w)
{
    w->fbb.Clear();
    w->images.clear();
    w->image_by_hash.clear();
    w->tasks.clear();
    w->task_n_images.clear();
    w->challengers.clear();
    w->solvers.clear();
}

// Finishes the buffer being built, writes it atomically and starts the next file.
static int write_file(batch_writer *w, errmsg *e)
{
    fb::FlatBufferBuilder &b = w->fbb;
    auto header = build_header(w);
    auto images = b.CreateVector(w->images);
    auto tasks = b.CreateVector(w->tasks);
    auto challengers = b.CreateVector(w->challengers);
    auto solvers = b.CreateVector(w->solvers);
    vb::FinishBatchBuffer(b, vb::CreateBatch(b, header, images, tasks, challengers, solvers));
    char name[BATCH_IO_NAME_SIZE];
    batch_io_file_name(w->round, w->next_batch, name);
    std::string path = w->dir + "/" + name;
    if (afile_save(path.c_str(), b.GetBufferPointer(), b.GetSize(), e))
        return writer_fail(w, e);
    w->last_path = path;
    if (w->next_batch == UINT32_MAX) {
        err_set(e, ERR_FAIL, "batch writer %s: no batch numbers left in round %u", w->dir.c_str(),
                (unsigned)w->round);
        return writer_fail(w, e);
    }
    w->next_batch++;
    writer_reset(w);
    return 0;
}

// Runs one writer operation, turning an allocation failure into an errmsg.
template <typename F> static int guarded(batch_writer *w, const char *what, errmsg *e, F op)
{
    if (!w)
        return err_set(e, ERR_ENV, "%s: no writer", what);
    try {
        return op();
    } catch (const std::bad_alloc &) {
        err_set(e, ERR_FAIL, "batch writer %s: out of memory in %s", w->dir.c_str(), what);
        return writer_fail(w, e);
    }
}

int batch_writer_add_image(batch_writer *w, const batch_image *im, uint32_t *index, errmsg *e)
{
    return guarded(w, "add_image", e, [&] { return add_image(w, im, index, e); });
}

int batch_writer_add_task(batch_writer *w, const batch_task *t, uint32_t *index, errmsg *e)
{
    if (!t)
        return err_set(e, ERR_ENV, "batch_writer_add_task: no task");
    return guarded(w, "add_task", e, [&] { return add_task(w, t, index, e); });
}

int batch_writer_add_challenger(batch_writer *w, const batch_challenger *c, uint32_t *index,
                                errmsg *e)
{
    if (!c)
        return err_set(e, ERR_ENV, "batch_writer_add_challenger: no rollout");
    return guarded(w, "add_challenger", e, [&] { return add_challenger(w, c, index, e); });
}

int batch_writer_add_solver(batch_writer *w, const batch_solver *s, uint32_t *index, errmsg *e)
{
    if (!s)
        return err_set(e, ERR_ENV, "batch_writer_add_solver: no rollout");
    return guarded(w, "add_solver", e, [&] { return add_solver(w, s, index, e); });
}

int batch_writer_end_unit(batch_writer *w, errmsg *e)
{
    return guarded(w, "end_unit", e, [&] {
        if (int rc = writer_check(w, 0, "ending a unit", e))
            return rc;
        bool full = record_count(w) >= w->opts.max_records || w->fbb.GetSize() >= w->opts.max_bytes;
        return full ? write_file(w, e) : 0;
    });
}

const char *batch_writer_last_path(const batch_writer *w)
{
    return w ? w->last_path.c_str() : "";
}

int batch_writer_close(batch_writer *w, errmsg *e)
{
    if (!w)
        return 0;
    int rc = guarded(w, "close", e, [&] {
        if (int rc = writer_check(w, 0, "closing", e))
            return rc;
        return record_count(w) || !w->images.empty() ? write_file(w, e) : 0;
    });
    delete w;
    return rc;
}

// ---------------------------------------------------------------- reading

struct batch_reader {
    char **paths = nullptr;
    size_t n_paths = 0;
    size_t next = 0;
    uint8_t *data = nullptr;
    size_t size = 0;
    const vb::Batch *batch = nullptr;
    std::vector<batch_setting> settings;
};

// A file that fails a check: says which file and why.
static int corrupt(const char *path, errmsg *e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int corrupt(const char *path, errmsg *e, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return err_set(e, ERR_FAIL, "%s: corrupt batch file, skipped: %s", path, why);
}

template <typename T> static size_t len(const fb::Vector<T> *v)
{
    return v ? v->size() : 0;
}

static bool index_ok(int64_t index, size_t count, bool minus_one_ok)
{
    return (minus_one_ok && index == -1) || (index >= 0 && (uint64_t)index < count);
}

static bool hash_ok(const fb::Vector<uint8_t> *h)
{
    return !h || h->size() == BATCH_SHA256_SIZE;
}

static int check_images(const char *path, const vb::Batch *b, errmsg *e)
{
    for (size_t i = 0; i < len(b->images()); i++) {
        const vb::Image *im = b->images()->Get((fb::uoffset_t)i);
        const fb::Vector<uint8_t> *png = im->png();
        if (!im->sha256() || im->sha256()->size() != BATCH_SHA256_SIZE)
            return corrupt(path, e, "image %zu has no 32-byte SHA-256", i);
        uint8_t hash[BATCH_SHA256_SIZE];
        batch_sha256(png ? png->data() : NULL, len(png), hash);
        if (memcmp(hash, im->sha256()->data(), BATCH_SHA256_SIZE) != 0)
            return corrupt(path, e, "image %zu: PNG bytes do not match their SHA-256", i);
    }
    return 0;
}

static int check_tasks(const char *path, const vb::Batch *b, errmsg *e)
{
    size_t n_images = len(b->images()), n_chal = len(b->challenger_rollouts());
    for (size_t i = 0; i < len(b->tasks()); i++) {
        const vb::Task *t = b->tasks()->Get((fb::uoffset_t)i);
        for (size_t k = 0; k < len(t->images()); k++)
            if (!index_ok(t->images()->Get((fb::uoffset_t)k), n_images, false))
                return corrupt(path, e, "task %zu: image %zu out of range", i, k);
        if (!index_ok(t->source_image(), n_images, true))
            return corrupt(path, e, "task %zu: source image out of range", i);
        if (!index_ok(t->challenger_rollout(), n_chal, true))
            return corrupt(path, e, "task %zu: challenger rollout out of range", i);
        if (len(t->args()) != 0 && len(t->args()) != BATCH_N_ARGS)
            return corrupt(path, e, "task %zu: %zu argument sets, not %d", i, len(t->args()),
                           BATCH_N_ARGS);
    }
    return 0;
}

static bool logprobs_ok(const fb::Vector<float> *lp, const fb::Vector<int32_t> *ids)
{
    return len(lp) == 0 || len(lp) == len(ids);
}

static int check_rollouts(const char *path, const vb::Batch *b, errmsg *e)
{
    size_t n_images = len(b->images()), n_tasks = len(b->tasks());
    for (size_t i = 0; i < len(b->challenger_rollouts()); i++) {
        const vb::ChallengerRollout *c = b->challenger_rollouts()->Get((fb::uoffset_t)i);
        for (size_t k = 0; k < len(c->prompt_images()); k++)
            if (!index_ok(c->prompt_images()->Get((fb::uoffset_t)k), n_images, false))
                return corrupt(path, e, "challenger rollout %zu: image %zu out of range", i, k);
        if (len(c->image_grid_thw()) != 0 && len(c->image_grid_thw()) != len(c->prompt_images()))
            return corrupt(path, e, "challenger rollout %zu: grids do not match images", i);
        if (!logprobs_ok(c->logprobs(), c->completion_ids()))
            return corrupt(path, e, "challenger rollout %zu: log-probs do not match tokens", i);
    }
    for (size_t i = 0; i < len(b->solver_rollouts()); i++) {
        const vb::SolverRollout *s = b->solver_rollouts()->Get((fb::uoffset_t)i);
        if (!index_ok(s->task(), n_tasks, false))
            return corrupt(path, e, "solver rollout %zu: task out of range", i);
        size_t n_task_images = len(b->tasks()->Get(s->task())->images());
        if (len(s->image_grid_thw()) != 0 && len(s->image_grid_thw()) != n_task_images)
            return corrupt(path, e, "solver rollout %zu: grids do not match task images", i);
        if (!logprobs_ok(s->logprobs(), s->completion_ids()))
            return corrupt(path, e, "solver rollout %zu: log-probs do not match tokens", i);
    }
    return 0;
}

static int check_header(const char *path, const vb::Batch *b, errmsg *e)
{
    const vb::Header *h = b->header();
    if (!h)
        return corrupt(path, e, "no header");
    if ((h->challenger() && !hash_ok(h->challenger()->sha256())) ||
        (h->solver() && !hash_ok(h->solver()->sha256())))
        return corrupt(path, e, "model SHA-256 is not 32 bytes");
    return 0;
}

// Structure first (the FlatBuffers verifier), then meaning.
static int check_buffer(const char *path, const uint8_t *data, size_t size, errmsg *e)
{
    if (size < 8 || !vb::BatchBufferHasIdentifier(data))
        return corrupt(path, e, "not a vkeve batch (no \"%s\" identifier)", vb::BatchIdentifier());
    fb::Verifier v(data, size, 64, (fb::uoffset_t)1 << 30);
    if (!vb::VerifyBatchBuffer(v))
        return corrupt(path, e, "FlatBuffers verification failed (truncated or damaged)");
    const vb::Batch *b = vb::GetBatch(data);
    if (int rc = check_header(path, b, e))
        return rc;
    if (int rc = check_tasks(path, b, e))
        return rc;
    if (int rc = check_rollouts(path, b, e))
        return rc;
    return check_images(path, b, e);
}

batch_reader *batch_reader_open(const char *path, errmsg *e)
{
    if (!path) {
        err_set(e, ERR_ENV, "batch_reader_open: no path");
        return NULL;
    }
    batch_reader *r = new (std::nothrow) batch_reader();
    if (!r) {
        err_set(e, ERR_FAIL, "%s: out of memory", path);
        return NULL;
    }
    if (batch_io_list(path, &r->paths, &r->n_paths, e)) {
        delete r;
        return NULL;
    }
    return r;
}

static void unload(batch_reader *r)
{
    free(r->data);
    r->data = nullptr;
    r->size = 0;
    r->batch = nullptr;
    r->settings.clear();
}

static int load_settings(batch_reader *r, const char *path, errmsg *e)
{
    const auto *s = r->batch->header()->settings();
    try {
        for (size_t i = 0; i < len(s); i++) {
            const vb::Setting *kv = s->Get((fb::uoffset_t)i);
            r->settings.push_back(
                {kv->key() ? kv->key()->c_str() : "", kv->value() ? kv->value()->c_str() : ""});
        }
    } catch (const std::bad_alloc &) {
        return err_set(e, ERR_FAIL, "%s: out of memory reading settings", path);
    }
    return 0;
}

int batch_reader_next(batch_reader *r, errmsg *e)
{
    if (!r)
        return BATCH_NEXT_END;
    unload(r);
    if (r->next >= r->n_paths)
        return BATCH_NEXT_END;
    const char *path = r->paths[r->next++];
    char *data = NULL;
    if (afile_read(path, BATCH_MAX_FILE_BYTES - 1, "a batch file", &data, &r->size, e))
        return BATCH_NEXT_SKIPPED;
    r->data = reinterpret_cast<uint8_t *>(data);
    if (check_buffer(path, r->data, r->size, e)) {
        unload(r);
        return BATCH_NEXT_SKIPPED;
    }
    r->batch = vb::GetBatch(r->data);
    if (load_settings(r, path, e)) {
        unload(r);
        return BATCH_NEXT_SKIPPED;
    }
    return BATCH_NEXT_FILE;
}

const char *batch_reader_path(const batch_reader *r)
{
    return r && r->batch ? r->paths[r->next - 1] : "";
}

size_t batch_reader_file_size(const batch_reader *r)
{
    return r && r->batch ? r->size : 0;
}

batch_counts batch_reader_counts(const batch_reader *r)
{
    batch_counts n = {0, 0, 0, 0};
    if (r && r->batch) {
        n.images = len(r->batch->images());
        n.tasks = len(r->batch->tasks());
        n.challenger_rollouts = len(r->batch->challenger_rollouts());
        n.solver_rollouts = len(r->batch->solver_rollouts());
    }
    return n;
}

static const char *str(const fb::String *s)
{
    return s ? s->c_str() : "";
}

static void view_model(const vb::Model *src, batch_model *m)
{
    memset(m, 0, sizeof *m);
    m->file_name = "";
    if (!src)
        return;
    m->file_name = str(src->file_name());
    m->file_size = src->file_size();
    if (src->sha256() && src->sha256()->size() == BATCH_SHA256_SIZE)
        memcpy(m->sha256, src->sha256()->data(), BATCH_SHA256_SIZE);
}

void batch_reader_header(const batch_reader *r, batch_header *h)
{
    memset(h, 0, sizeof *h);
    h->run_id = h->creator = "";
    view_model(nullptr, &h->challenger);
    view_model(nullptr, &h->solver);
    if (!r || !r->batch)
        return;
    const vb::Header *src = r->batch->header();
    h->schema_version = src->schema_version();
    h->run_id = str(src->run_id());
    h->round = src->round();
    h->batch_index = src->batch_index();
    h->created_unix_ms = src->created_unix_ms();
    h->seed = src->seed();
    view_model(src->challenger(), &h->challenger);
    view_model(src->solver(), &h->solver);
    h->settings = r->settings.empty() ? nullptr : r->settings.data();
    h->n_settings = r->settings.size();
    h->creator = str(src->creator());
}

template <typename T> static const T *data(const fb::Vector<T> *v)
{
    return v && v->size() ? v->data() : nullptr;
}

static const batch_grid *grid_data(const fb::Vector<const vb::GridTHW *> *v)
{
    return v && v->size() ? reinterpret_cast<const batch_grid *>(v->Data()) : nullptr;
}

int batch_reader_image(const batch_reader *r, size_t i, batch_image *im)
{
    memset(im, 0, sizeof *im);
    im->name = "";
    if (!r || !r->batch || i >= len(r->batch->images()))
        return ERR_FAIL;
    const vb::Image *src = r->batch->images()->Get((fb::uoffset_t)i);
    im->png = data(src->png());
    im->png_size = len(src->png());
    im->width = src->width();
    im->height = src->height();
    memcpy(im->sha256, src->sha256()->data(), BATCH_SHA256_SIZE);
    im->name = str(src->name());
    return 0;
}

int batch_reader_task(const batch_reader *r, size_t i, batch_task *t)
{
    memset(t, 0, sizeof *t);
    t->question = t->answer = t->program = "";
    t->pass_rate = -1.0f;
    for (int k = 0; k < BATCH_N_ARGS; k++)
        t->args[k] = "";
    if (!r || !r->batch || i >= len(r->batch->tasks()))
        return ERR_FAIL;
    const vb::Task *src = r->batch->tasks()->Get((fb::uoffset_t)i);
    t->question_type = src->question_type();
    t->question = str(src->question());
    t->images = data(src->images());
    t->n_images = len(src->images());
    t->answer = str(src->answer());
    t->program = str(src->program());
    for (size_t k = 0; k < len(src->args()); k++)
        t->args[k] = str(src->args()->Get((fb::uoffset_t)k));
    t->source_image = src->source_image();
    t->challenger_rollout = src->challenger_rollout();
    t->pass_rate = src->pass_rate();
    t->n_samples = src->n_samples();
    t->for_solver = src->for_solver();
    return 0;
}

int batch_reader_challenger(const batch_reader *r, size_t i, batch_challenger *c)
{
    memset(c, 0, sizeof *c);
    c->completion = c->failure = "";
    if (!r || !r->batch || i >= len(r->batch->challenger_rollouts()))
        return ERR_FAIL;
    const vb::ChallengerRollout *src = r->batch->challenger_rollouts()->Get((fb::uoffset_t)i);
    c->group_id = src->group_id();
    c->prompt_ids = data(src->prompt_ids());
    c->n_prompt_ids = len(src->prompt_ids());
    c->prompt_images = data(src->prompt_images());
    c->n_prompt_images = len(src->prompt_images());
    c->grids = grid_data(src->image_grid_thw());
    c->completion_ids = data(src->completion_ids());
    c->n_completion_ids = len(src->completion_ids());
    c->logprobs = data(src->logprobs());
    c->completion = str(src->completion());
    c->valid = src->valid();
    c->failure = str(src->failure());
    c->reward_format = src->reward_format();
    c->reward_validity = src->reward_validity();
    c->reward_difficulty = src->reward_difficulty();
    c->reward_diversity = src->reward_diversity();
    c->reward = src->reward();
    c->advantage = src->advantage();
    return 0;
}

int batch_reader_solver(const batch_reader *r, size_t i, batch_solver *s)
{
    memset(s, 0, sizeof *s);
    s->completion = s->answer = "";
    if (!r || !r->batch || i >= len(r->batch->solver_rollouts()))
        return ERR_FAIL;
    const vb::SolverRollout *src = r->batch->solver_rollouts()->Get((fb::uoffset_t)i);
    s->task = src->task();
    s->group_id = src->group_id();
    s->prompt_ids = data(src->prompt_ids());
    s->n_prompt_ids = len(src->prompt_ids());
    s->grids = grid_data(src->image_grid_thw());
    s->n_grids = len(src->image_grid_thw());
    s->completion_ids = data(src->completion_ids());
    s->n_completion_ids = len(src->completion_ids());
    s->logprobs = data(src->logprobs());
    s->completion = str(src->completion());
    s->answer = str(src->answer());
    s->score = src->score();
    s->correct = src->correct();
    s->reward = src->reward();
    s->advantage = src->advantage();
    return 0;
}

void batch_reader_close(batch_reader *r)
{
    if (!r)
        return;
    unload(r);
    batch_io_free_list(r->paths, r->n_paths);
    delete r;
}
