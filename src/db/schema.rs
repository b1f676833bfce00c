// Written to match migrations/{sqlite,postgres}; a test checks both trees give these columns.

diesel::table! {
    towns (code) {
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        kind -> Text,
        sort_order -> Integer,
    }
}

diesel::table! {
    gi_products (code) {
        code -> Text,
        name_zh -> Text,
        name_en -> Text,
        category -> Text,
        legal_basis -> Text,
        protection_announcement -> Text,
        protection_date -> Nullable<Text>,
        protected_area -> Text,
        standard_code -> Nullable<Text>,
        certification_mark_reg_no -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    product_towns (product_code, town_code) {
        product_code -> Text,
        town_code -> Text,
    }
}

diesel::table! {
    enterprises (id) {
        id -> Text,
        uscc -> Text,
        name -> Text,
        legal_representative -> Text,
        address -> Text,
        town_code -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        email -> Text,
        uscc_exception_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        released_uscc -> Nullable<Text>,
        released_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    enterprise_changes (id) {
        id -> Text,
        enterprise_id -> Text,
        status -> Text,
        name -> Nullable<Text>,
        address -> Nullable<Text>,
        legal_representative -> Nullable<Text>,
        old_name -> Text,
        old_address -> Text,
        old_legal_representative -> Text,
        reason -> Text,
        requested_by -> Text,
        due_date -> Text,
        decided_by -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        announcement_no -> Nullable<Text>,
        announcement_date -> Nullable<Text>,
    }
}

diesel::table! {
    enterprise_change_documents (id) {
        id -> Text,
        change_id -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        last_seen_at -> Nullable<Timestamp>,
        sliding -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        display_name -> Text,
        enterprise_id -> Nullable<Text>,
        active -> Bool,
        token_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        must_change_password -> Bool,
    }
}

diesel::table! {
    login_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        window_start -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        enterprise_id -> Text,
        product_code -> Text,
        basis -> Text,
        trademark_reg_no -> Nullable<Text>,
        production_town -> Text,
        production_address -> Text,
        area_centimu -> Nullable<BigInt>,
        annual_output_kg -> Nullable<BigInt>,
        description -> Nullable<Text>,
        status -> Text,
        version -> Integer,
        created_by -> Text,
        recommended_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        status_changed_at -> Timestamp,
        review_due_date -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        application_no -> Nullable<Text>,
        current_step_due -> Nullable<Text>,
    }
}

diesel::table! {
    application_counters (year) {
        year -> Integer,
        last_no -> Integer,
    }
}

diesel::table! {
    review_opinions (id) {
        id -> Text,
        application_id -> Text,
        application_version -> Integer,
        reviewer_id -> Text,
        comment -> Text,
        created_at -> Timestamp,
        snapshot -> Nullable<Text>,
    }
}

diesel::table! {
    review_field_comments (id) {
        id -> Text,
        opinion_id -> Text,
        field -> Text,
        comment -> Text,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        application_id -> Text,
        kind -> Text,
        filename -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    registry_counters (year) {
        year -> Integer,
        last_no -> Integer,
    }
}

diesel::table! {
    authorizations (id) {
        id -> Text,
        registry_no -> Text,
        enterprise_id -> Text,
        application_id -> Text,
        product_code -> Text,
        basis -> Text,
        trademark_reg_no -> Nullable<Text>,
        production_town -> Text,
        search_text -> Text,
        status -> Text,
        announcement_no -> Text,
        announcement_date -> Text,
        granted_at -> Timestamp,
        status_changed_at -> Timestamp,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    usage_reports (id) {
        id -> Text,
        authorization_id -> Text,
        year -> Integer,
        marks_used -> BigInt,
        output_kg -> BigInt,
        sales_cny -> BigInt,
        note -> Nullable<Text>,
        filed_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    abnormal_users (id) {
        id -> Text,
        authorization_id -> Text,
        reason -> Text,
        note -> Text,
        correct_by -> Text,
        listed_by -> Text,
        listed_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
        removed_by -> Nullable<Text>,
        removal_note -> Nullable<Text>,
    }
}

diesel::table! {
    journal_events (seq) {
        seq -> BigInt,
        id -> Text,
        entity_type -> Text,
        entity_id -> Text,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        actor_id -> Nullable<Text>,
        actor_role -> Text,
        comment -> Nullable<Text>,
        data -> Nullable<Text>,
        at -> Timestamp,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    journal_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    holidays (day) {
        day -> Text,
        name -> Text,
    }
}

diesel::table! {
    fake_reports (id) {
        id -> Text,
        code_seen -> Text,
        place -> Text,
        description -> Text,
        photo_sha256 -> Nullable<Text>,
        photo_content_type -> Nullable<Text>,
        reporter_address -> Text,
        status -> Text,
        resolution -> Nullable<Text>,
        closed_by -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        user_id -> Text,
        token_sha256 -> Text,
        channel -> Text,
        issued_by -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Text,
        user_id -> Text,
        enterprise_id -> Text,
        kind -> Text,
        subject -> Text,
        body -> Text,
        link_path -> Text,
        application_id -> Nullable<Text>,
        application_no -> Nullable<Text>,
        authorization_id -> Nullable<Text>,
        registry_no -> Nullable<Text>,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        channel -> Text,
        recipient -> Text,
        kind -> Text,
        subject -> Text,
        body -> Text,
        link_path -> Nullable<Text>,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        gave_up_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    usage_reminders (authorization_id, year) {
        authorization_id -> Text,
        year -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    label_quotas (authorization_id, year) {
        authorization_id -> Text,
        year -> Integer,
        quantity -> BigInt,
        issued -> BigInt,
        batches -> Integer,
        set_by -> Text,
        set_at -> Timestamp,
    }
}

diesel::table! {
    label_batches (seq) {
        seq -> BigInt,
        id -> Text,
        batch_no -> Text,
        authorization_id -> Text,
        year -> Integer,
        quantity -> BigInt,
        issued_by -> Text,
        issued_at -> Timestamp,
    }
}

diesel::table! {
    labels (random) {
        random -> BigInt,
        batch_seq -> BigInt,
        scans -> BigInt,
        first_scanned_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    label_flush_counter (id) {
        id -> Integer,
        seq -> BigInt,
        dropped_seq -> BigInt,
    }
}

diesel::table! {
    label_scan_log (range_no, seq) {
        seq -> BigInt,
        range_no -> Integer,
        scans -> BigInt,
        deltas -> Binary,
    }
}

diesel::table! {
    label_fold_ranges (range_no) {
        range_no -> Integer,
        folded_seq -> BigInt,
    }
}

diesel::joinable!(product_towns -> gi_products (product_code));
diesel::joinable!(product_towns -> towns (town_code));
diesel::joinable!(enterprises -> towns (town_code));
diesel::joinable!(users -> enterprises (enterprise_id));
diesel::joinable!(enterprise_changes -> enterprises (enterprise_id));
diesel::joinable!(enterprise_change_documents -> enterprise_changes (change_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(applications -> enterprises (enterprise_id));
diesel::joinable!(applications -> gi_products (product_code));
diesel::joinable!(review_opinions -> applications (application_id));
diesel::joinable!(review_field_comments -> review_opinions (opinion_id));
diesel::joinable!(attachments -> applications (application_id));
diesel::joinable!(authorizations -> enterprises (enterprise_id));
diesel::joinable!(authorizations -> gi_products (product_code));
diesel::joinable!(usage_reports -> authorizations (authorization_id));
diesel::joinable!(abnormal_users -> authorizations (authorization_id));
diesel::joinable!(label_quotas -> authorizations (authorization_id));
diesel::joinable!(label_batches -> authorizations (authorization_id));
diesel::joinable!(labels -> label_batches (batch_seq));

diesel::allow_tables_to_appear_in_same_query!(
    towns,
    gi_products,
    product_towns,
    enterprises,
    enterprise_changes,
    enterprise_change_documents,
    users,
    login_throttle,
    sessions,
    applications,
    review_opinions,
    review_field_comments,
    attachments,
    registry_counters,
    application_counters,
    password_resets,
    notifications,
    outbox,
    usage_reminders,
    authorizations,
    usage_reports,
    abnormal_users,
    label_quotas,
    label_batches,
    labels,
    label_flush_counter,
    label_scan_log,
    label_fold_ranges,
    journal_events,
    journal_head,
    settings,
    holidays,
    fake_reports,
);
