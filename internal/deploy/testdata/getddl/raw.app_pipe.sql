create or replace pipe APP_PIPE auto_ingest=true COMMENT='auto-ingest of source app; never recreated casually (it would lose its load history)' as COPY INTO TRUEUP.RAW.APP_LINES (file_name, file_row, line, loaded_at)
FROM (
  SELECT METADATA$FILENAME, METADATA$FILE_ROW_NUMBER, $1, METADATA$START_SCAN_TIME
  FROM @TRUEUP.RAW.APP_STAGE
)
ON_ERROR = SKIP_FILE;
