create or replace stream APP_LINES_STREAM on table TRUEUP.RAW.APP_LINES append_only = true show_initial_rows = false COMMENT='new lines of source app';
